// The service worker: a context menu item on images; a click sends the image's URL to the
// offscreen document, which classifies it, and the answer comes back here (kept in
// chrome.storage.session, and shown as the action's title).
const MENU = 'resnet-web-what-is-this';

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: MENU, title: 'What is this image?', contexts: ['image'] });
});

let creating;
async function offscreenDocument() {
  const url = chrome.runtime.getURL('offscreen.html');
  const existing = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  if (existing.length) return;
  creating ??= chrome.offscreen
    .createDocument({ url: 'offscreen.html', reasons: ['WORKERS'], justification: 'classify images with resnet-web in a Web Worker' })
    .finally(() => (creating = undefined));
  await creating;
}

/** What a click on the menu item does; the test calls it with the click's data. */
async function whatIsThis(info) {
  if (info.menuItemId !== MENU) return null;
  await offscreenDocument();
  const answer = await chrome.runtime.sendMessage({ target: 'offscreen', type: 'classify', url: info.srcUrl });
  await chrome.storage.session.set({ last: { srcUrl: info.srcUrl, ...answer } });
  await chrome.action?.setTitle?.({ title: answer.error ?? `${answer.label} (${(answer.score * 100).toFixed(1)} %)` });
  return answer;
}
globalThis.whatIsThis = whatIsThis;

chrome.contextMenus.onClicked.addListener((info) => void whatIsThis(info));
