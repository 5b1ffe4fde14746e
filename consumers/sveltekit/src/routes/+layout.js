// adapter-static: the page is prerendered (its server-side render imports the package in Node).
export const prerender = true;
