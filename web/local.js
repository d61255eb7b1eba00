// Local mode's sign-in: choose a session and a person, then open the console as them.
"use strict";

(async function () {
  const response = await fetch("/console/api/local/people", { cache: "no-store" });
  const data = await response.json();
  const root = document.getElementById("sessions");
  document.getElementById("empty").hidden = data.sessions.length > 0;
  data.sessions.forEach((session, index) => {
    const section = document.createElement("section");
    const heading = document.createElement("h2");
    heading.textContent = (session.title || "Session " + (index + 1)) +
      (session.live ? " (live)" : " (ended)");
    section.appendChild(heading);
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    session.people.forEach((person) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Sign in as " + person.name + " (" + person.role + ")";
      button.addEventListener("click", () => {
        window.sessionStorage.setItem("focusbot.console.local", JSON.stringify({
          chat: session.chat, teams_user_id: person.teams_user_id, name: person.name }));
        window.location.assign("/console/");
      });
      buttons.appendChild(button);
    });
    section.appendChild(buttons);
    root.appendChild(section);
  });
})();
