import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { z } from 'zod';
import App from './App.vue';
import { router } from './router';
import { reportUncaught } from './uncaught';
import './styles.css';

// Without jitless, zod probes `new Function` to compile object parsers; the CSP refuses
// it, and even the caught refusal is reported as a securitypolicyviolation.
z.config({ jitless: true });

const app = createApp(App);
app.config.errorHandler = (err) => reportUncaught(err);
window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  reportUncaught(event.reason);
});
app.use(createPinia());
app.use(router);
app.mount('#app');
