/* The page's contract with the platform. */
function value(id) { return document.getElementById(id).value; }

function postConfigs() {
  return {
    domain: value('domain'),
    apiKey: value('apiKey'),
    __meta: { secure: ['apiKey'], modules: { service_ticket: ['domain', 'apiKey'] } }
  };
}

function getConfigs(configs) {
  document.getElementById('domain').value = configs.domain || '';
}

function validate() {
  if (!value('domain')) {
    return false;
  }
  return new Promise(function (resolve) {
    app.initialized().then(function (client) {
      return client.request.invokeTemplate('verify', {
        context: { domain: value('domain'), apiKey: value('apiKey') }
      });
    }).then(function (response) {
      resolve(response.status === 200);
    }, function () {
      resolve(false);
    });
  });
}
