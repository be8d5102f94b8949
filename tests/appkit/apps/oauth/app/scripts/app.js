document.addEventListener('DOMContentLoaded', () => {
  app.initialized().then((client) => {
    client.events.on('app.activated', () => client.request.invokeTemplate('listRepos', {}));
    document.getElementById('task').addEventListener('click', () => {
      client.request.invokeTemplate('createTask', { body: JSON.stringify({ data: { name: 'Call back' } }) });
    });
  });
});
