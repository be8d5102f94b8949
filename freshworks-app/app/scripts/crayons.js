/* Crayons, Freshworks' web components, as a progressive enhancement.
 *
 * The page loads Crayons from jsDelivr as real apps do (an ES module, with a nomodule
 * fallback). The controls are plain elements first; once Crayons has defined its
 * elements, each button becomes an <fw-button> with the same id, class, data and text.
 * If Crayons never loads (blocked CDN, old browser), the plain controls stay and work.
 */
(function (root) {
  'use strict';

  const WAIT_MS = 3000;

  const defined = () => Boolean(root.customElements?.get?.('fw-button'));

  // Whether Crayons defined its button within waitMs.
  function ready(waitMs = WAIT_MS) {
    const registry = root.customElements;
    if (!registry?.whenDefined) { return Promise.resolve(false); }
    if (defined()) { return Promise.resolve(true); }
    return new Promise((resolve) => {
      const timer = root.setTimeout(() => resolve(false), waitMs);
      registry.whenDefined('fw-button').then(() => {
        root.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  function upgradeButton(native) {
    if (native?.tagName !== 'BUTTON' || !defined()) { return native; }
    const fw = native.ownerDocument.createElement('fw-button');
    for (const attr of native.attributes) {
      if (attr.name !== 'type') { fw.setAttribute(attr.name, attr.value); }
    }
    const primary = native.classList.contains('ufd-button');
    fw.setAttribute('color', primary ? 'primary' : 'secondary');
    fw.setAttribute('size', primary ? 'normal' : 'small');
    if (primary) { fw.setAttribute('expand', ''); }
    fw.textContent = native.textContent;
    if (native.disabled) { fw.setAttribute('disabled', ''); }
    native.replaceWith(fw);
    return fw;
  }

  function enhance(container) {
    if (!container || !defined()) { return; }
    container.querySelectorAll('button.ufd-action, button.ufd-choose').forEach(upgradeButton);
  }

  root.UfdCrayons = { ready, upgradeButton, enhance };
})(typeof window !== 'undefined' ? window : globalThis);
