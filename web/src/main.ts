import { mount } from 'svelte';
import { registerSW } from 'virtual:pwa-register';
import App from './App.svelte';
import { terminal } from './lib/terminal.svelte';
import './app.css';

// The service worker precaches the app shell so the terminal opens (and says OFFLINE) with no
// network; `immediate` installs it on the first visit rather than the second.
registerSW({ immediate: true });

mount(App, { target: document.getElementById('app')! });

// Diagnostics hook: the worker's load counters, for support and the browser responsiveness check.
(globalThis as { tickmeshStats?: () => Promise<unknown> }).tickmeshStats = () => terminal.stats();
