// Fenêtre latérale
app.initialized().then(function (client) {
  return client.request.invoke('lookupContact', { id: 1 });
});
