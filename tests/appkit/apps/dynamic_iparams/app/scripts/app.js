document.addEventListener('DOMContentLoaded', () => {
  app.initialized().then((client) => {
    client.iparams.get('region').then((data) => {
      document.getElementById('region').textContent = data.region;
    });
  });
});
