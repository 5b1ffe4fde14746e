import { sveltekit } from '@sveltejs/kit/vite';
import resnetWeb from 'resnet-web/vite';

export default { plugins: [sveltekit(), resnetWeb()] };
