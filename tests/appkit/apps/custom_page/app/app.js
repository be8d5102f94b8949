app.initialized().then(function (client) {
  client.request.invokeTemplate('lookup', { context: { id: 7 } });
});
