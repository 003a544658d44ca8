/** Small pieces every view uses: header with language switch, update banner. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { registerServiceWorker } from '../actions/sw-register';
import { lang, setLang, t } from '../i18n';

export function Header(props: { title: string; children?: ComponentChildren }) {
  return (
    <header class="bar">
      <h1>{props.title}</h1>
      <div class="bar-actions">
        {props.children}
        <button
          type="button"
          class="link"
          data-testid="lang-switch"
          onClick={() => setLang(lang() === 'en' ? 'zh-CN' : 'en')}
        >
          {t('lang.switch')}
        </button>
      </div>
    </header>
  );
}

/** "有新版本，点击更新": shown when a new service worker waits; tapping it takes over and reloads. */
export function UpdateBanner() {
  const [activate, setActivate] = useState<(() => void) | null>(null);
  useEffect(() => {
    // Without a service worker the app still works online; it only loses the offline shell.
    registerServiceWorker((go) => setActivate(() => go)).catch((error: unknown) =>
      console.warn('service worker not registered', error),
    );
  }, []);
  if (!activate) return null;
  return (
    <button type="button" class="update-banner" data-testid="update" onClick={activate}>
      {t('update.available')}
    </button>
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const en = (error as { messageEn?: string }).messageEn;
    return lang() === 'en' && en ? en : error.message;
  }
  return String(error);
}
