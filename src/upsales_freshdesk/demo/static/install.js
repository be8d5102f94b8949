/* The host side of the installation page: prefill, validate() and postConfigs(). */
(function () {
  'use strict';
  var frame = document.getElementById('settings-frame');
  var status = document.getElementById('install-status');

  frame.addEventListener('load', function () {
    // "Edit settings": the platform hands the stored values to getConfigs(); the page
    // shows the secure ones as "unchanged" and keeps them unless the admin types anew.
    fetch('/_demo/iparams').then(function (r) { return r.json(); }).then(function (saved) {
      frame.contentWindow.getConfigs(saved.iparams);
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
