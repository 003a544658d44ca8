import { render } from 'preact';
import { lang } from '../../i18n';
import '../styles.css';
import { App } from './App';

document.documentElement.lang = lang();
const root = document.getElementById('app');
if (root) render(<App />, root);
