// The tab's configuration page: name the console as the tab's content and allow Save.
"use strict";

(async function () {
  await window.microsoftTeams.app.initialize();
  const base = window.location.origin + "/console/";
  window.microsoftTeams.pages.config.registerOnSaveHandler((save) => {
    window.microsoftTeams.pages.config.setConfig({
      entityId: "focus-group-console", contentUrl: base, websiteUrl: base,
      suggestedDisplayName: "Focus group",
    }).then(() => save.notifySuccess(), (error) => save.notifyFailure(String(error)));
  });
  window.microsoftTeams.pages.config.setValidityState(true);
})();
