import resnetWeb from 'resnet-web/vite';

export default { plugins: [resnetWeb()] };
