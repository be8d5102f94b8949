/* The host side of the installation page: prefill, validate() and postConfigs(). */
(function () {
  'use strict';
  var frame = document.getElementById('settings-frame');
  var status = document.getElementById('install-status');

  frame.addEventListener('load', function () {
    // "Edit settings": the platform hands the stored values to getConfigs(), the secure
    // ones masked (the host's MASK has the source); the page keeps them unless the admin
    // types anew, and a mask saved back keeps the stored value.
    fetch('/_demo/configs').then(function (r) { return r.json(); }).then(function (configs) {
      frame.contentWindow.getConfigs(configs);
    });
  });

  document.getElementById('install').addEventListener('click', function () {
    var page = frame.contentWindow;
    status.textContent = 'Checking the settings…';
    Promise.resolve(page.validate()).then(function (ok) {
      if (!ok) {
        status.textContent = 'Install blocked: fix the settings marked above.';
        return null;
      }
      var configs = page.postConfigs();
      delete configs.__meta;
      return fetch('/_demo/iparams', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(configs) })
        .then(function () { status.textContent = 'Installed. The settings are saved.'; });
    });
  });
})();
