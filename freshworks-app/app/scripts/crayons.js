/* Crayons, Freshworks' web components, as a progressive enhancement.
 *
 * The page loads Crayons from jsDelivr as real apps do (an ES module, with a nomodule
 * fallback). The controls are plain elements first; once Crayons has defined its
 * elements, each button becomes an <fw-button> with the same id, class, data and text.
 * If Crayons never loads (blocked CDN, old browser), the plain controls stay and work.
 */
(function (root) {
  'use strict';

  var WAIT_MS = 3000;

  function defined() {
    var registry = root.customElements;
    return Boolean(registry && registry.get && registry.get('fw-button'));
  }

  function ready(waitMs) {
    var registry = root.customElements;
    if (!registry || !registry.whenDefined) { return Promise.resolve(false); }
    if (defined()) { return Promise.resolve(true); }
    return new Promise(function (resolve) {
      var timer = root.setTimeout(function () { resolve(false); }, waitMs === undefined ? WAIT_MS : waitMs);
      registry.whenDefined('fw-button').then(function () {
        root.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  function upgradeButton(native) {
    if (!native || native.tagName !== 'BUTTON' || !defined()) { return native; }
    var doc = native.ownerDocument;
    var fw = doc.createElement('fw-button');
    Array.prototype.forEach.call(native.attributes, function (attr) {
      if (attr.name !== 'type') { fw.setAttribute(attr.name, attr.value); }
    });
    var primary = native.classList.contains('ufd-button');
    fw.setAttribute('color', primary ? 'primary' : 'secondary');
    fw.setAttribute('size', primary ? 'normal' : 'small');
    if (primary) { fw.setAttribute('expand', ''); }
    fw.textContent = native.textContent;
    if (native.disabled) { fw.setAttribute('disabled', ''); }
    native.parentNode.replaceChild(fw, native);
    return fw;
  }

  function enhance(container) {
    if (!container || !defined()) { return; }
    Array.prototype.forEach.call(container.querySelectorAll('button.ufd-action, button.ufd-choose'), upgradeButton);
  }

  function setDisabled(element, disabled) {
    element.disabled = disabled;
    if (disabled) { element.setAttribute('disabled', ''); } else { element.removeAttribute('disabled'); }
  }

  root.UfdCrayons = { ready: ready, defined: defined, upgradeButton: upgradeButton, enhance: enhance, setDisabled: setDisabled };
})(typeof window !== 'undefined' ? window : globalThis);
