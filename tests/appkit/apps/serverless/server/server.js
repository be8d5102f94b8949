// Synchronise les contacts (fichier en Latin-1 : été)
exports = {
  onAppInstallHandler: function () { renderData(); },
  onContactCreateHandler: async function (args) {
    await $request.invokeTemplate("syncContact", {
      context: { host: args.iparams.crm_host, id: args.data.contact.id, trace: "démo" },
      body: JSON.stringify(args.data.contact)
    });
  },
  lookupContact: function (options) { renderData(null, { id: options.id }); }
};
