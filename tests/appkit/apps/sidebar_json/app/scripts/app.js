document.addEventListener('DOMContentLoaded', function () {
  app.initialized().then(function (client) {
    client.events.on('app.activated', function () {
      return client.data.get('requester').then(function (data) {
        return client.request.invokeTemplate('getOrders', { context: { email: data.requester.email, since: '2026-01-01' } });
      });
    });
    document.getElementById('load').addEventListener('click', function () {
      client.request.invokeTemplate("createNote", { body: JSON.stringify({ text: 'hi' }) });
    });
  });
});
