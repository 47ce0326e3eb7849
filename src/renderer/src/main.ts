// first: must run before any module that builds a zod schema
import './app/zod-setup';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import { reportUncaught } from './app/uncaught';
import './styles.css';

const app = createApp(App);
app.config.errorHandler = (err) => reportUncaught(err);
window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  reportUncaught(event.reason);
});
app.use(createPinia());
app.use(router);
app.mount('#app');
