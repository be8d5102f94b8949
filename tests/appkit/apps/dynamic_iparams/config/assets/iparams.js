/* The change callbacks config/iparams.json names: the platform calls them by name. */
function domainChange(value) {
  const ok = /\.freshdesk\.com$/.test(value);
  utils.set('domain', { hint: ok ? '' : 'Enter yourcompany.freshdesk.com' });
}

function archiveChange(checked) {
  utils.set('limit', { visible: Boolean(checked) });
}
