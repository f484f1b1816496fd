// The coordinator's Mini App (issue 25): calendar, basket and figures inside Telegram.
// Contract with the server: bot/webapp/API.md. No framework, no build step, nothing loaded
// from the internet. Every text from the server goes in with textContent, never as markup.

const STRINGS = {
  pl: {
    skip: "Przejdź do treści",
    menu: "Menu",
    calendar: "Kalendarz",
    basket: "Koszyk usług",
    figures: "Liczby",
    loading: "Wczytywanie…",
    team: "Zespół",
    previousMonth: "Poprzedni miesiąc",
    nextMonth: "Następny miesiąc",
    weekdays: ["pn", "wt", "śr", "cz", "pt", "so", "nd"],
    weekdaysLong: ["poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"],
    meetingsThisMonth: "Spotkania w tym miesiącu",
    noMeetings: "W tym miesiącu nie ma spotkań.",
    meetingsOn: "{day}: spotkania: {n}",
    cancelled: "odwołane",
    answers: "Odpowiedzi",
    yes: "Będą",
    maybe: "Może",
    no: "Nie będą",
    myAnswer: "Twoja odpowiedź: {answer}",
    myAnswerNone: "Twoja odpowiedź: jeszcze bez odpowiedzi",
    answerWord: { yes: "będę", maybe: "może", no: "nie będę" },
    place: "Miejsce",
    when: "Kiedy",
    agenda: "Porządek",
    byInstitution: "Odpowiedzi według instytucji",
    noInstitution: "bez instytucji",
    nobody: "nikt",
    silent: "Bez odpowiedzi",
    register: "Lista obecności",
    registerNone: "Lista obecności będzie po spotkaniu.",
    name: "Imię i nazwisko",
    institution: "Instytucja",
    present: "Obecność",
    presentYes: "tak",
    presentNo: "nie",
    hours: "Godziny",
    guest: "gość",
    backToCalendar: "← Kalendarz",
    noTeams: "Nie należysz jeszcze do żadnego zespołu. Dołącz przez zaproszenie w czacie z botem.",
    municipality: "Gmina",
    search: "Szukaj",
    searchLabel: "Czego szukasz?",
    searchHint: "np. przemoc, nocleg, praca — jak w /koszyk",
    category: "Kategoria",
    allCategories: "wszystkie",
    services: "Usługi",
    found: "Znalezione usługi: {n}",
    nothingFound: "Nic nie znaleziono.",
    addService: "Dodaj usługę",
    edit: "Edytuj",
    remove: "Usuń",
    confirmRemove: "Usunąć usługę „{name}”?",
    yesRemove: "Tak, usuń",
    cancel: "Anuluj",
    removed: "Usunięto usługę „{name}”.",
    saved: "Zapisano usługę „{name}”.",
    newService: "Nowa usługa",
    editService: "Edycja usługi",
    save: "Zapisz",
    saving: "Zapisywanie…",
    formError: "Popraw zaznaczone pola. Nic nie zostało zapisane.",
    required: "(wymagane)",
    fields: {
      name: "Nazwa usługi",
      institution: "Instytucja",
      categories: "Kategorie",
      description: "Opis",
      audience: "Dla kogo",
      how_to_get: "Jak skorzystać",
      phone: "Telefon",
      email: "E-mail",
      address: "Adres",
      hours: "Godziny",
      url: "Strona www",
      paid: "Odpłatność",
    },
    serviceGone: "Tej usługi już nie ma w koszyku.",
    period: "Okres",
    periodHint: "rok (2026), miesiąc (2026-11) lub jak w /raport",
    show: "Pokaż",
    totals: "Razem",
    chart: "Wykres",
    chartAlt: "Wykres liczb programu za okres {period}",
    download: "Pobierz XLSX",
    downloading: "Pobieranie…",
    downloaded: "Pobrano plik {file}.",
    noRows: "Brak danych w tym okresie.",
    byTeam: "Według zespołów",
    bySector: "Osoby według sektorów",
    byInstitutionFigures: "Osoby według instytucji",
    byKind: "Według rodzaju wydarzeń",
    kind: "Rodzaj",
    figure: {
      meetings_held: "Spotkania",
      participants: "Obecności",
      unique_participants: "Osoby",
      tasks_opened: "Zadania",
      tasks_closed: "Zamknięte",
      events: "Wydarzenia",
    },
    sessionTitle: "Nie można otworzyć strony",
    reopen: "Otwórz stronę ponownie z menu bota.",
    noInitData: "Ta strona działa tylko wewnątrz Telegrama.",
    network: "Brak połączenia z serwerem. Spróbuj ponownie.",
    retry: "Spróbuj ponownie",
    failed: "Coś poszło nie tak ({status}).",
    notFound: "Nie ma takiej strony.",
  },
  en: {
    skip: "Skip to content",
    menu: "Menu",
    calendar: "Calendar",
    basket: "Services",
    figures: "Figures",
    loading: "Loading…",
    team: "Team",
    previousMonth: "Previous month",
    nextMonth: "Next month",
    weekdays: ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"],
    weekdaysLong: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    meetingsThisMonth: "Meetings this month",
    noMeetings: "No meetings this month.",
    meetingsOn: "{day}: meetings: {n}",
    cancelled: "cancelled",
    answers: "Answers",
    yes: "Coming",
    maybe: "Maybe",
    no: "Not coming",
    myAnswer: "Your answer: {answer}",
    myAnswerNone: "Your answer: none yet",
    answerWord: { yes: "coming", maybe: "maybe", no: "not coming" },
    place: "Place",
    when: "When",
    agenda: "Agenda",
    byInstitution: "Answers by institution",
    noInstitution: "no institution",
    nobody: "nobody",
    silent: "No answer",
    register: "Attendance register",
    registerNone: "The register comes after the meeting.",
    name: "Name",
    institution: "Institution",
    present: "Attendance",
    presentYes: "yes",
    presentNo: "no",
    hours: "Hours",
    guest: "guest",
    backToCalendar: "← Calendar",
    noTeams: "You are not in any team yet. Join with an invitation in the chat with the bot.",
    municipality: "Municipality",
    search: "Search",
    searchLabel: "What are you looking for?",
    searchHint: "e.g. violence, shelter, work — as in /koszyk",
    category: "Category",
    allCategories: "all",
    services: "Services",
    found: "Services found: {n}",
    nothingFound: "Nothing found.",
    addService: "Add a service",
    edit: "Edit",
    remove: "Remove",
    confirmRemove: "Remove the service “{name}”?",
    yesRemove: "Yes, remove",
    cancel: "Cancel",
    removed: "Removed the service “{name}”.",
    saved: "Saved the service “{name}”.",
    newService: "New service",
    editService: "Edit the service",
    save: "Save",
    saving: "Saving…",
    formError: "Please correct the marked fields. Nothing was saved.",
    required: "(required)",
    fields: {
      name: "Name of the service",
      institution: "Institution",
      categories: "Categories",
      description: "Description",
      audience: "For whom",
      how_to_get: "How to get it",
      phone: "Phone",
      email: "E-mail",
      address: "Address",
      hours: "Opening hours",
      url: "Website",
      paid: "Fee",
    },
    serviceGone: "This service is no longer in the basket.",
    period: "Period",
    periodHint: "a year (2026), a month (2026-11) or as in /raport",
    show: "Show",
    totals: "Totals",
    chart: "Chart",
    chartAlt: "Chart of the programme's figures for {period}",
    download: "Download XLSX",
    downloading: "Downloading…",
    downloaded: "Downloaded {file}.",
    noRows: "No figures for this period.",
    byTeam: "By team",
    bySector: "People by sector",
    byInstitutionFigures: "People by institution",
    byKind: "By kind of event",
    kind: "Kind",
    figure: {
      meetings_held: "Meetings",
      participants: "Attendances",
      unique_participants: "People",
      tasks_opened: "Tasks",
      tasks_closed: "Closed",
      events: "Events",
    },
    sessionTitle: "The page cannot open",
    reopen: "Open the page again from the bot's menu.",
    noInitData: "This page works only inside Telegram.",
    network: "The server cannot be reached. Please try again.",
    retry: "Try again",
    failed: "Something went wrong ({status}).",
    notFound: "There is no such page.",
  },
};

const FIELDS = [
  // name, control, required
  ["name", "input", true],
  ["institution", "input", true],
  ["categories", "checkboxes", true],
  ["description", "textarea", false],
  ["audience", "textarea", false],
  ["how_to_get", "textarea", false],
  ["phone", "input", false],
  ["email", "input", false],
  ["address", "input", false],
  ["hours", "input", false],
  ["url", "input", false],
  ["paid", "input", false],
];

const ZONE = "Europe/Warsaw";
const API = new URL("api/", new URL(".", document.baseURI.replace(/#.*$/, ""))).pathname;
const STORE = "kooperacje.webapp";

const state = {
  lang: "pl",
  token: null,
  me: null,
  services: new Map(), // id -> service, of the last list shown
  categories: [],
  flash: null, // a message for the next view
  sessionLanguage: null, // as the sign-in answered
};

// ---------------------------------------------------------------- small helpers

function t(key, vars = {}) {
  const table = STRINGS[state.lang] || STRINGS.pl;
  let text = key.split(".").reduce((node, part) => node?.[part], table);
  if (text === undefined) text = key.split(".").reduce((node, part) => node?.[part], STRINGS.pl);
  if (typeof text !== "string") return text;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** An element: attributes as properties or attributes; children as nodes or plain text. */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "text") node.textContent = String(value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function localeTag() {
  return state.lang === "en" ? "en-GB" : "pl-PL";
}

function parts(iso) {
  const found = {};
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  for (const part of format.formatToParts(new Date(iso))) found[part.type] = part.value;
  return found;
}

function dayKey(iso) {
  const p = parts(iso);
  return `${p.year}-${p.month}-${p.day}`;
}

function thisMonth() {
  const p = parts(new Date().toISOString());
  return `${p.year}-${p.month}`;
}

function shiftMonth(month, by) {
  const [year, m] = month.split("-").map(Number);
  const date = new Date(Date.UTC(year, m - 1 + by, 1));
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

function monthTitle(month) {
  const [year, m] = month.split("-").map(Number);
  const text = new Intl.DateTimeFormat(localeTag(), {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year, m - 1, 15)));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function when(iso, withWeekday = true) {
  return new Intl.DateTimeFormat(localeTag(), {
    timeZone: ZONE,
    weekday: withWeekday ? "short" : undefined,
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

function dayLabel(key) {
  const [year, m, d] = key.split("-").map(Number);
  return new Intl.DateTimeFormat(localeTag(), {
    weekday: "long",
    day: "numeric",
    month: "long",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year, m - 1, d, 12)));
}

function safeUrl(text) {
  const value = String(text || "").trim();
  if (!value) return null;
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`;
  try {
    const url = new URL(candidate);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function setStatus(text) {
  document.getElementById("status").textContent = text || "";
}

// ---------------------------------------------------------------- Telegram and the theme

function launchParams() {
  const raw = location.hash.startsWith("#") ? location.hash.slice(1) : "";
  if (!raw.includes("tgWebApp")) return null;
  return new URLSearchParams(raw);
}

function readInitData(params) {
  const fromTelegram = window.Telegram?.WebApp?.initData;
  if (fromTelegram) return fromTelegram;
  return params?.get("tgWebAppData") || "";
}

function languageOfInitData(initData) {
  try {
    const user = JSON.parse(new URLSearchParams(initData).get("user") || "{}");
    return String(user.language_code || "").startsWith("en") ? "en" : "pl";
  } catch {
    return "pl";
  }
}

function readTheme(params) {
  const fromTelegram = window.Telegram?.WebApp?.themeParams;
  if (fromTelegram && Object.keys(fromTelegram).length) return fromTelegram;
  const raw = params?.get("tgWebAppThemeParams");
  if (raw) {
    try {
      return JSON.parse(raw);
    } catch {
      /* a theme is a nicety: fall back to the defaults */
    }
  }
  try {
    return JSON.parse(sessionStorage.getItem(`${STORE}.theme`) || "null");
  } catch {
    return null;
  }
}

function rgbOf(hex) {
  let match = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!match) {
    const short = /^#?([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(hex || "");
    if (!short) return null;
    match = [null, short.slice(1).map((c) => c + c).join("")];
  }
  const value = Number.parseInt(match[1], 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function luminance(hex) {
  const rgb = rgbOf(hex);
  if (!rgb) return null;
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgb.map(channel);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

function toHex(rgb) {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

/** `color` moved towards black or white (away from `against`) until it reads at 4.5:1
 * on every colour of `against`: Telegram's themes are not all that readable (its dark
 * theme's white on #5288c1 buttons is 3.7:1). */
function readableOn(color, against) {
  const backs = against.filter((c) => rgbOf(c));
  if (!rgbOf(color) || !backs.length) return color;
  const worst = () => Math.min(...backs.map((b) => contrast(candidate, b)));
  const target = luminance(backs[0]) > 0.18 ? [0, 0, 0] : [255, 255, 255];
  const start = rgbOf(color);
  let candidate = color;
  for (let step = 1; worst() < 4.5 && step <= 20; step += 1) {
    candidate = toHex(start.map((c, i) => c + ((target[i] - c) * step) / 20));
  }
  return candidate;
}

/** The theme with colours adjusted where text would not be readable. */
function readableTheme(theme) {
  const safe = { ...theme };
  const backs = [theme.bg_color, theme.secondary_bg_color, theme.section_bg_color].filter(Boolean);
  for (const key of ["text_color", "hint_color", "link_color", "destructive_text_color", "accent_text_color", "subtitle_text_color"]) {
    if (safe[key]) safe[key] = readableOn(safe[key], backs);
  }
  if (safe.button_color && safe.button_text_color) {
    // The button's own colour moves, away from its text.
    safe.button_color = readableOn(safe.button_color, [safe.button_text_color]);
  }
  return safe;
}

function applyTheme(given) {
  if (!given || typeof given !== "object") return;
  const root = document.documentElement;
  const theme = readableTheme(given);
  for (const [name, value] of Object.entries(theme)) {
    if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value) && /^\w+$/.test(name)) {
      root.style.setProperty(`--tg-theme-${name.replaceAll("_", "-")}`, value);
    }
  }
  const light = luminance(theme.bg_color);
  if (light !== null) root.dataset.scheme = light < 0.2 ? "dark" : "light";
  try {
    sessionStorage.setItem(`${STORE}.theme`, JSON.stringify(given));
  } catch {
    /* private mode: the theme lasts this page only */
  }
}

// ---------------------------------------------------------------- the server

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || t("failed", { status }));
    this.status = status;
    this.code = body?.code || "";
    this.fields = body?.fields || {};
  }
}

class SessionEnded extends Error {}

async function api(path, { method = "GET", body, blob = false } = {}) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, { error: t("network"), code: "network" });
  }
  if (response.ok) {
    if (response.status === 204) return null;
    return blob ? response.blob() : response.json();
  }
  let problem = null;
  try {
    problem = await response.json();
  } catch {
    problem = null;
  }
  if (response.status === 401) {
    forgetSession();
    showRefusal(problem?.error);
    throw new SessionEnded();
  }
  throw new ApiError(response.status, problem);
}

function forgetSession() {
  state.token = null;
  try {
    sessionStorage.removeItem(`${STORE}.session`);
  } catch {
    /* nothing kept */
  }
}

function keepSession(session) {
  try {
    sessionStorage.setItem(`${STORE}.session`, JSON.stringify(session));
  } catch {
    /* the token lasts this page only */
  }
}

function storedSession() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(`${STORE}.session`) || "null");
    if (kept?.token && Date.parse(kept.expires_at) > Date.now() + 30_000) return kept;
  } catch {
    /* none */
  }
  return null;
}

async function signIn() {
  const params = launchParams();
  applyTheme(readTheme(params));
  const initData = readInitData(params);
  if (params) {
    // Telegram's launch parameters are read: the hash becomes the page's own route again.
    history.replaceState(null, "", `${location.pathname}${location.search}#/calendar`);
  }
  if (initData) {
    state.lang = languageOfInitData(initData);
    translateShell();
    let response;
    try {
      response = await fetch(`${API}session`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ init_data: initData }),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      showRefusal(t("network"), true);
      return false;
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok || !body?.token) {
      showRefusal(body?.error || t("failed", { status: response.status }));
      return false;
    }
    state.token = body.token;
    if (body.language === "en" || body.language === "pl") state.lang = state.sessionLanguage = body.language;
    keepSession({ token: body.token, expires_at: body.expires_at, language: state.lang });
    return true;
  }
  const kept = storedSession();
  if (kept) {
    state.token = kept.token;
    state.lang = state.sessionLanguage = kept.language === "en" ? "en" : "pl";
    return true;
  }
  showRefusal(t("noInitData"));
  return false;
}

/** The page cannot go on (no, forged, expired initData; an ended session): say why and what
 * to do, in Polish unless the person's language is known to be English. */
function showRefusal(message, retry = false) {
  const view = document.getElementById("view");
  document.getElementById("nav").hidden = true;
  setStatus("");
  view.replaceChildren(
    h(
      "section",
      { class: "banner", role: "alert", id: "refusal" },
      h("h1", { text: t("sessionTitle") }),
      message ? h("p", { text: message }) : null,
      h("p", { class: "reopen" }, h("strong", { text: t("reopen") })),
      retry ? h("button", { type: "button", onclick: () => location.reload() }, t("retry")) : null,
    ),
  );
  done("refused");
}

function translateShell() {
  document.documentElement.lang = state.lang;
  document.getElementById("skip").textContent = t("skip");
  document.getElementById("nav").setAttribute("aria-label", t("menu"));
  for (const route of ["calendar", "basket", "figures"]) {
    document.getElementById(`nav-${route}`).textContent = t(route);
  }
}

// ---------------------------------------------------------------- routing

function route() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?");
  return { parts: path.split("/").filter(Boolean), params: new URLSearchParams(query) };
}

function go(path, params = {}) {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""),
  ).toString();
  const target = `#/${path}${query ? `?${query}` : ""}`;
  if (location.hash === target) render();
  else location.hash = target;
}

let renderCount = 0;

function begin(title) {
  renderCount += 1;
  const view = document.getElementById("view");
  view.setAttribute("aria-busy", "true");
  document.documentElement.dataset.state = "loading";
  view.replaceChildren(h("h1", { tabindex: "-1", text: title }), h("p", { class: "loading", text: t("loading") }));
  document.title = `${title} · Kooperacje`;
  return renderCount;
}

function done(name) {
  const view = document.getElementById("view");
  view.setAttribute("aria-busy", "false");
  document.documentElement.dataset.state = name === "refused" ? "refused" : "ready";
  if (name !== "refused") document.documentElement.dataset.view = name;
}

function show(ticket, name, ...children) {
  if (ticket !== renderCount) return false; // a later navigation took over
  const view = document.getElementById("view");
  view.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  if (state.flash) {
    setStatus(state.flash);
    state.flash = null;
  } else {
    setStatus("");
  }
  const heading = view.querySelector("h1");
  if (heading && document.activeElement === document.body) heading.focus({ preventScroll: true });
  done(name);
  return true;
}

function markNav(name) {
  const nav = document.getElementById("nav");
  nav.hidden = false;
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.route === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function problemView(ticket, name, error) {
  if (error instanceof SessionEnded) return;
  show(
    ticket,
    name,
    h("h1", { tabindex: "-1", text: t(name) || name }),
    h("p", { class: "banner", role: "alert", text: error.message }),
    h("button", { type: "button", onclick: () => render() }, t("retry")),
  );
}

async function render() {
  if (!state.token) return;
  const { parts: path, params } = route();
  const name = path[0] || "calendar";
  markNav(name === "meeting" ? "calendar" : name);
  try {
    if (name === "calendar") await calendarView(params);
    else if (name === "meeting") await meetingView(Number(path[1]));
    else if (name === "basket" && path[1] === "new") await serviceForm(params, null);
    else if (name === "basket" && path[1] === "edit") await serviceForm(params, Number(path[2]));
    else if (name === "basket") await basketView(params);
    else if (name === "figures") await figuresView(params);
    else {
      const ticket = begin(t("notFound"));
      show(ticket, "missing", h("h1", { tabindex: "-1", text: t("notFound") }));
    }
  } catch (error) {
    if (error instanceof SessionEnded) return;
    problemView(renderCount, name, error);
  }
}

// ---------------------------------------------------------------- the calendar

function teamPicker(teams, chosen, onchange) {
  return h(
    "div",
    {},
    h("label", { for: "team", text: t("team") }),
    h(
      "select",
      { id: "team", onchange },
      teams.map((team) =>
        h("option", { value: team.id, selected: team.id === chosen, text: team.name }),
      ),
    ),
  );
}

function answerCounts(answers) {
  const a = answers || {};
  return h(
    "p",
    { class: "counts" },
    ["yes", "maybe", "no"].map((key) =>
      h("span", { class: key }, `${t(key)}: `, h("strong", { text: a[key] ?? 0 })),
    ),
  );
}

function meetingItem(meeting) {
  const cancelled = meeting.status === "cancelled";
  const mine = meeting.my_answer;
  return h(
    "li",
    { id: `m-${meeting.id}`, class: cancelled ? "cancelled" : null, dataset: { day: dayKey(meeting.starts_at) } },
    h("a", { class: "meeting-link", href: `#/meeting/${meeting.id}` }, meeting.kind_label || t("calendar")),
    cancelled ? [" ", h("span", { class: "tag no", text: t("cancelled") })] : null,
    h("div", { text: when(meeting.starts_at) }),
    meeting.place ? h("div", { text: meeting.place }) : null,
    answerCounts(meeting.answers),
    h("p", {
      class: `hint ${mine || ""}`,
      text: mine ? t("myAnswer", { answer: t(`answerWord.${mine}`) }) : t("myAnswerNone"),
    }),
  );
}

function monthGrid(month, meetings) {
  const [year, m] = month.split("-").map(Number);
  const first = new Date(Date.UTC(year, m - 1, 1));
  const offset = (first.getUTCDay() + 6) % 7; // Monday first
  const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const byDay = new Map();
  for (const meeting of meetings) {
    const key = dayKey(meeting.starts_at);
    byDay.set(key, (byDay.get(key) || 0) + 1);
  }
  const today = dayKey(new Date().toISOString());
  const rows = [];
  let cells = [];
  for (let i = 0; i < offset; i += 1) cells.push(h("td", { class: "other" }));
  for (let day = 1; day <= days; day += 1) {
    const key = `${month}-${String(day).padStart(2, "0")}`;
    const count = byDay.get(key) || 0;
    const content = count
      ? h(
          "button",
          {
            type: "button",
            class: "day",
            "aria-label": t("meetingsOn", { day: dayLabel(key), n: count }),
            onclick: () => {
              const item = document.querySelector(`li[data-day="${key}"]`);
              if (!item) return;
              for (const old of document.querySelectorAll(".highlight")) old.classList.remove("highlight");
              item.classList.add("highlight");
              item.scrollIntoView({ block: "center" });
              item.querySelector("a")?.focus({ preventScroll: true });
            },
          },
          h("span", { text: day }),
          h("span", { class: "dot", "aria-hidden": "true" }),
        )
      : h("span", { class: "day", text: day });
    cells.push(h("td", { class: key === today ? "today" : null }, content));
    if (cells.length === 7) {
      rows.push(h("tr", {}, cells));
      cells = [];
    }
  }
  if (cells.length) {
    while (cells.length < 7) cells.push(h("td", { class: "other" }));
    rows.push(h("tr", {}, cells));
  }
  const weekdays = t("weekdays");
  const long = t("weekdaysLong");
  return h(
    "table",
    { class: "grid", id: "month-grid" },
    h("caption", { class: "skip", text: monthTitle(month) }),
    h("thead", {}, h("tr", {}, weekdays.map((d, i) => h("th", { scope: "col", abbr: long[i], text: d })))),
    h("tbody", {}, rows),
  );
}

async function loadMe() {
  if (!state.me) {
    state.me = await api("me");
    // The session's language (the member's, else Telegram's) wins; /me's only without one.
    const language = state.me?.member?.language;
    if (!state.sessionLanguage && (language === "en" || language === "pl") && language !== state.lang) {
      state.lang = language;
      translateShell();
      const kept = storedSession();
      if (kept) keepSession({ ...kept, language });
    }
  }
  return state.me;
}

async function calendarView(params) {
  const ticket = begin(t("calendar"));
  const me = await loadMe();
  const teams = me.teams || [];
  if (!teams.length) {
    show(ticket, "calendar", h("h1", { tabindex: "-1", text: t("calendar") }), h("p", { text: t("noTeams") }));
    return;
  }
  const chosen = teams.find((team) => String(team.id) === params.get("team")) || teams[0];
  const month = /^\d{4}-\d{2}$/.test(params.get("month") || "") ? params.get("month") : thisMonth();
  const data = await api(`teams/${chosen.id}/meetings?month=${encodeURIComponent(month)}`);
  const meetings = [...(data.meetings || [])].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  show(
    ticket,
    "calendar",
    h("h1", { tabindex: "-1", text: t("calendar") }),
    teamPicker(teams, chosen.id, (event) => go("calendar", { team: event.target.value, month })),
    h(
      "div",
      { class: "month-nav" },
      h(
        "button",
        { type: "button", class: "secondary", "aria-label": t("previousMonth"), onclick: () => go("calendar", { team: chosen.id, month: shiftMonth(month, -1) }) },
        "‹",
      ),
      h("h2", { id: "month-title", "aria-live": "polite", text: monthTitle(month) }),
      h(
        "button",
        { type: "button", class: "secondary", "aria-label": t("nextMonth"), onclick: () => go("calendar", { team: chosen.id, month: shiftMonth(month, 1) }) },
        "›",
      ),
    ),
    monthGrid(month, meetings),
    h("h2", { text: t("meetingsThisMonth") }),
    meetings.length
      ? h("ul", { class: "list", id: "meetings" }, meetings.map(meetingItem))
      : h("p", { id: "meetings-empty", text: t("noMeetings") }),
  );
}

// ---------------------------------------------------------------- one meeting

function byInstitution(groups, key) {
  const group = groups?.[key] || {};
  const names = Object.keys(group);
  const total = names.reduce((sum, name) => sum + (group[name]?.length || 0), 0);
  return h(
    "section",
    { class: "answers" },
    h("h3", { class: key, text: `${t(key)} (${total})` }),
    names.length
      ? h(
          "ul",
          {},
          names.map((institution) =>
            h(
              "li",
              {},
              h("strong", { text: institution || t("noInstitution") }),
              `: ${(group[institution] || []).join(", ")}`,
            ),
          ),
        )
      : h("p", { class: "hint", text: t("nobody") }),
  );
}

function registerTable(register) {
  if (!register) return h("p", { class: "hint", text: t("registerNone") });
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "figures stack", id: "register" },
      h(
        "thead",
        {},
        h("tr", {}, [t("name"), t("institution"), t("present"), t("hours")].map((c) => h("th", { scope: "col", text: c }))),
      ),
      h(
        "tbody",
        {},
        register.map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row", text: row.guest ? `${row.name} (${t("guest")})` : row.name }),
            h("td", { "data-label": t("institution"), text: row.institution || "—" }),
            h("td", { class: row.present ? "yes" : "no", "data-label": t("present"), text: row.present ? t("presentYes") : t("presentNo") }),
            h("td", { class: "number", "data-label": t("hours"), text: cell(row.hours) }),
          ),
        ),
      ),
    ),
  );
}

async function meetingView(id) {
  const ticket = begin(t("calendar"));
  await loadMe();
  const meeting = await api(`meetings/${id}`);
  const cancelled = meeting.status === "cancelled";
  show(
    ticket,
    "meeting",
    h("p", {}, h("a", { href: "#/calendar", text: t("backToCalendar") })),
    h("h1", { tabindex: "-1", text: meeting.kind_label || t("calendar") }),
    meeting.team ? h("p", { class: "hint", text: meeting.team }) : null,
    cancelled ? h("p", {}, h("span", { class: "tag no", text: t("cancelled") })) : null,
    h(
      "dl",
      { class: "service" },
      h("dt", { text: t("when") }),
      h("dd", { text: `${when(meeting.starts_at)} – ${parts(meeting.ends_at).hour}:${parts(meeting.ends_at).minute}` }),
      h("dt", { text: t("place") }),
      h("dd", { text: meeting.place || "—" }),
    ),
    meeting.agenda ? [h("h2", { text: t("agenda") }), h("p", { class: "agenda", text: meeting.agenda })] : null,
    h("h2", { text: t("answers") }),
    answerCounts(meeting.answers),
    h("p", {
      class: "hint",
      text: meeting.my_answer ? t("myAnswer", { answer: t(`answerWord.${meeting.my_answer}`) }) : t("myAnswerNone"),
    }),
    h("h2", { text: t("byInstitution") }),
    ["yes", "maybe", "no"].map((key) => byInstitution(meeting.by_institution, key)),
    h("h3", { text: `${t("silent")} (${(meeting.silent || []).length})` }),
    h("p", { text: (meeting.silent || []).join(", ") || t("nobody") }),
    h("h2", { text: t("register") }),
    registerTable(meeting.register),
  );
}

// ---------------------------------------------------------------- the basket

function municipalities(me) {
  const seen = new Map();
  for (const team of me.teams || []) {
    if (team.municipality_id && !seen.has(team.municipality_id)) {
      seen.set(team.municipality_id, { id: team.municipality_id, name: team.municipality, may_edit: false });
    }
    if (team.may_edit_basket && seen.has(team.municipality_id)) seen.get(team.municipality_id).may_edit = true;
  }
  return [...seen.values()];
}

function serviceCard(service, municipality, mayEdit) {
  const rows = [
    ["institution", service.institution],
    ["categories", (service.categories || []).join(", ")],
    ["description", service.description],
    ["audience", service.audience],
    ["how_to_get", service.how_to_get],
    ["address", service.address],
    ["hours", service.hours],
    ["paid", service.paid],
  ];
  const details = [];
  for (const [key, value] of rows) {
    if (value) details.push(h("dt", { text: t(`fields.${key}`) }), h("dd", { text: value }));
  }
  if (service.phone) {
    const dial = service.phone.replace(/[^\d+]/g, "");
    details.push(
      h("dt", { text: t("fields.phone") }),
      h("dd", {}, dial.length >= 6 ? h("a", { href: `tel:${dial}`, text: service.phone }) : service.phone),
    );
  }
  if (service.email) {
    const ok = /^[^\s@<>"]+@[^\s@<>"]+$/.test(service.email);
    details.push(
      h("dt", { text: t("fields.email") }),
      h("dd", {}, ok ? h("a", { href: `mailto:${service.email}`, text: service.email }) : service.email),
    );
  }
  if (service.url) {
    const link = safeUrl(service.url);
    details.push(
      h("dt", { text: t("fields.url") }),
      h("dd", {}, link ? h("a", { href: link, target: "_blank", rel: "noopener noreferrer", text: service.url }) : service.url),
    );
  }
  const item = h(
    "li",
    { class: "service", id: `s-${service.id}`, dataset: { id: service.id } },
    h("h2", { text: service.name }),
    h("dl", {}, details),
  );
  if (mayEdit) {
    const confirmBox = h("div", { class: "confirm", hidden: true, role: "group" });
    const removeButton = h(
      "button",
      {
        type: "button",
        class: "danger",
        "aria-expanded": "false",
        onclick: () => {
          removeButton.setAttribute("aria-expanded", "true");
          confirmBox.hidden = false;
          confirmBox.querySelector("button")?.focus();
        },
      },
      t("remove"),
    );
    const message = h("p", { class: "error", role: "alert" });
    confirmBox.append(
      h("p", { text: t("confirmRemove", { name: service.name }) }),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "danger",
            onclick: async (event) => {
              event.target.disabled = true;
              try {
                await api(`services/${service.id}`, { method: "DELETE" });
                state.flash = t("removed", { name: service.name });
                render();
              } catch (error) {
                if (error instanceof SessionEnded) return;
                message.textContent = error.message;
                event.target.disabled = false;
              }
            },
          },
          t("yesRemove"),
        ),
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              confirmBox.hidden = true;
              removeButton.setAttribute("aria-expanded", "false");
              removeButton.focus();
            },
          },
          t("cancel"),
        ),
      ),
      message,
    );
    item.append(
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          { type: "button", class: "secondary", onclick: () => go(`basket/edit/${service.id}`, { m: municipality }) },
          t("edit"),
        ),
        removeButton,
      ),
      confirmBox,
    );
  }
  return item;
}

async function basketView(params) {
  const ticket = begin(t("basket"));
  const me = await loadMe();
  const places = municipalities(me);
  if (!places.length) {
    show(ticket, "basket", h("h1", { tabindex: "-1", text: t("basket") }), h("p", { text: t("noTeams") }));
    return;
  }
  const place = places.find((p) => String(p.id) === params.get("m")) || places[0];
  const q = params.get("q") || "";
  const category = params.get("category") || "";
  const query = new URLSearchParams();
  if (q) query.set("q", q);
  if (category) query.set("category", category);
  const data = await api(`municipalities/${place.id}/services${query.size ? `?${query}` : ""}`);
  const services = data.services || [];
  state.services = new Map(services.map((s) => [s.id, s]));
  state.categories = data.categories || [];
  const mayEdit = Boolean(data.may_edit);

  const search = h("input", { id: "q", name: "q", type: "search", value: q, "aria-describedby": "q-hint", autocomplete: "off", enterkeyhint: "search" });
  const categories = h(
    "select",
    { id: "category", name: "category" },
    h("option", { value: "", text: t("allCategories") }),
    state.categories.map((c) => h("option", { value: c, selected: c === category, text: c })),
  );
  const placeSelect = h(
    "select",
    { id: "municipality", name: "m" },
    places.map((p) => h("option", { value: p.id, selected: p.id === place.id, text: p.name })),
  );
  const submit = () => go("basket", { m: placeSelect.value, q: search.value.trim(), category: categories.value });
  placeSelect.addEventListener("change", () => go("basket", { m: placeSelect.value }));
  categories.addEventListener("change", submit);

  show(
    ticket,
    "basket",
    h("h1", { tabindex: "-1", text: t("basket") }),
    places.length > 1
      ? h("div", {}, h("label", { for: "municipality", text: t("municipality") }), placeSelect)
      : h("p", { class: "hint", text: place.name }),
    h(
      "form",
      {
        role: "search",
        id: "search-form",
        onsubmit: (event) => {
          event.preventDefault();
          submit();
        },
      },
      h("label", { for: "q", text: t("searchLabel") }),
      h("div", { class: "row" }, h("div", { class: "grow" }, search), h("button", { type: "submit" }, t("search"))),
      h("p", { class: "hint", id: "q-hint", text: t("searchHint") }),
      h("label", { for: "category", text: t("category") }),
      categories,
    ),
    mayEdit
      ? h(
          "div",
          { class: "actions" },
          h("button", { type: "button", id: "add-service", onclick: () => go("basket/new", { m: place.id }) }, t("addService")),
        )
      : null,
    h("h2", { id: "found", "aria-live": "polite", text: services.length ? t("found", { n: services.length }) : t("nothingFound") }),
    h("ul", { class: "list", id: "services" }, services.map((s) => serviceCard(s, place.id, mayEdit))),
  );
}

function fieldControl(name, control, value, required) {
  const id = `f-${name}`;
  const errorId = `${id}-error`;
  const label = h("label", { for: id }, t(`fields.${name}`), required ? h("span", { class: "hint", text: ` ${t("required")}` }) : null);
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  let input;
  if (control === "textarea") {
    input = h("textarea", { id, name, rows: 4, "aria-describedby": errorId });
    input.value = value || "";
  } else {
    const types = { email: "email", phone: "tel", url: "url" };
    input = h("input", {
      id,
      name,
      type: "text",
      inputmode: types[name] || null,
      autocomplete: "off",
      required: required || null,
      "aria-required": required ? "true" : null,
      "aria-describedby": errorId,
      list: name === "institution" ? "institutions" : null,
    });
    input.value = value || "";
  }
  return h("div", { class: "field", dataset: { field: name } }, label, input, error);
}

function categoryControl(chosen) {
  const errorId = "f-categories-error";
  const all = [...new Set([...state.categories, ...chosen])];
  return h(
    "fieldset",
    { class: "field", dataset: { field: "categories" }, "aria-describedby": errorId },
    h("legend", {}, t("fields.categories"), h("span", { class: "hint", text: ` ${t("required")}` })),
    all.map((category, i) =>
      h(
        "label",
        { class: "check", for: `f-category-${i}` },
        h("input", { type: "checkbox", id: `f-category-${i}`, name: "categories", value: category, checked: chosen.includes(category) }),
        category,
      ),
    ),
    h("p", { class: "field-error", id: errorId, hidden: true }),
  );
}

function readForm(form) {
  const service = {};
  for (const [name, control] of FIELDS) {
    if (!form.querySelector(`[data-field="${name}"]`)) continue;
    if (control === "checkboxes") {
      service.categories = [...form.querySelectorAll('input[name="categories"]:checked')].map((box) => box.value);
    } else {
      service[name] = form.elements[name].value.trim();
    }
  }
  return service;
}

function showFieldErrors(form, fields) {
  for (const box of form.querySelectorAll(".field")) {
    const name = box.dataset.field;
    const message = fields?.[name];
    const error = box.querySelector(".field-error");
    error.textContent = message || "";
    error.hidden = !message;
    for (const control of box.querySelectorAll("input, textarea, select")) {
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  }
}

async function serviceForm(params, id) {
  const ticket = begin(id ? t("editService") : t("newService"));
  const me = await loadMe();
  const places = municipalities(me);
  const place = places.find((p) => String(p.id) === params.get("m")) || places[0];
  if (!place) throw new ApiError(404, { error: t("notFound") });
  let service = null;
  if (id) {
    service = state.services.get(id);
    if (!service) {
      const data = await api(`municipalities/${place.id}/services`);
      state.services = new Map((data.services || []).map((s) => [s.id, s]));
      state.categories = data.categories || [];
      service = state.services.get(id);
    }
    if (!service) throw new ApiError(404, { error: t("serviceGone") });
  } else if (!state.categories.length) {
    const data = await api(`municipalities/${place.id}/services`);
    state.categories = data.categories || [];
  }
  const institutions = [...new Set([...state.services.values()].map((s) => s.institution).filter(Boolean))];
  const summary = h("div", { id: "form-error", class: "banner", role: "alert", tabindex: "-1", hidden: true });
  const saveButton = h("button", { type: "submit", id: "save" }, t("save"));
  const back = () => go("basket", { m: place.id });
  const form = h(
    "form",
    {
      id: "service-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const body = readForm(form);
        saveButton.disabled = true;
        saveButton.textContent = t("saving");
        try {
          const saved = id
            ? await api(`services/${id}`, { method: "PUT", body })
            : await api(`municipalities/${place.id}/services`, { method: "POST", body });
          state.flash = t("saved", { name: saved?.name || body.name });
          back();
        } catch (error) {
          if (error instanceof SessionEnded) return;
          showFieldErrors(form, error.fields);
          summary.textContent = error.message || t("formError");
          summary.hidden = false;
          summary.focus();
          const firstBad = form.querySelector('[aria-invalid="true"]');
          if (firstBad) firstBad.scrollIntoView({ block: "center" });
        } finally {
          saveButton.disabled = false;
          saveButton.textContent = t("save");
        }
      },
    },
    // Editing: the fields the server sent (one it does not know of is left alone, not emptied).
    FIELDS.filter(([name, , required]) => !service || required || name in service).map(([name, control, required]) =>
      control === "checkboxes" ? categoryControl(service?.categories || []) : fieldControl(name, control, service?.[name], required),
    ),
    h("datalist", { id: "institutions" }, institutions.map((name) => h("option", { value: name }))),
    h("div", { class: "actions" }, saveButton, h("button", { type: "button", class: "secondary", onclick: back }, t("cancel"))),
  );
  show(
    ticket,
    "service-form",
    h("h1", { tabindex: "-1", text: id ? t("editService") : t("newService") }),
    h("p", { class: "hint", text: place.name }),
    summary,
    form,
  );
}

// ---------------------------------------------------------------- figures

function cell(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "number") return value.toLocaleString(localeTag());
  return String(value);
}

// The figures' columns (API.md: rows and totals of the programme's figures, as /raport).
const COLUMNS = ["meetings_held", "participants", "unique_participants", "tasks_opened", "tasks_closed"];

function figuresTable(rows, totals) {
  if (!rows?.length) return h("p", { text: t("noRows") });
  const head = [t("team"), ...COLUMNS.map((key) => t(`figure.${key}`))];
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "figures-caption" },
    h(
      "table",
      { class: "figures stack", id: "figures-table" },
      h("caption", { id: "figures-caption", class: "skip", text: t("byTeam") }),
      h("thead", {}, h("tr", {}, head.map((text) => h("th", { scope: "col", text })))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row", text: row.team ?? row.name ?? "—" }),
            COLUMNS.map((key) => h("td", { class: "number", "data-label": t(`figure.${key}`), text: cell(row[key]) })),
          ),
        ),
      ),
      totals
        ? h(
            "tfoot",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "row", text: t("totals") }),
              COLUMNS.map((key) => h("td", { class: "number", "data-label": t(`figure.${key}`), text: cell(totals[key]) })),
            ),
          )
        : null,
    ),
  );
}

function countsList(title, id, counts) {
  const entries = Object.entries(counts || {});
  if (!entries.length) return null;
  return [
    h("h2", { text: title }),
    h(
      "table",
      { class: "figures", id },
      h("tbody", {}, entries.map(([name, n]) => h("tr", {}, h("th", { scope: "row", text: name }), h("td", { class: "number", text: cell(n) })))),
    ),
  ];
}

function kindsTable(kinds) {
  if (!kinds?.length) return null;
  return [
    h("h2", { text: t("byKind") }),
    h(
      "div",
      { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("byKind") },
      h(
        "table",
        { class: "figures stack", id: "kinds" },
        h("thead", {}, h("tr", {}, [t("kind"), t("figure.events"), t("figure.participants"), t("hours")].map((text) => h("th", { scope: "col", text })))),
        h(
          "tbody",
          {},
          kinds.map((kind) =>
            h(
              "tr",
              {},
              h("th", { scope: "row", text: kind.label || kind.kind }),
              h("td", { class: "number", "data-label": t("figure.events"), text: cell(kind.events) }),
              h("td", { class: "number", "data-label": t("figure.participants"), text: cell(kind.participants) }),
              h("td", { class: "number", "data-label": t("hours"), text: cell(kind.hours) }),
            ),
          ),
        ),
      ),
    ),
  ];
}

async function download(period, slug, button, message) {
  button.disabled = true;
  const label = button.textContent;
  button.textContent = t("downloading");
  try {
    const blob = await api(`figures.xlsx?period=${encodeURIComponent(period)}`, { blob: true });
    const file = `raport-${String(slug || period).replace(/[^\w-]+/g, "_") || "okres"}.xlsx`;
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: file, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    message.textContent = t("downloaded", { file });
  } catch (error) {
    if (error instanceof SessionEnded) return;
    message.textContent = error.message;
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

async function chartImage(period, label, ticket) {
  const figure = h("figure", { id: "chart" });
  try {
    const blob = await api(`figures.png?period=${encodeURIComponent(period)}`, { blob: true });
    if (ticket !== renderCount) return figure;
    figure.append(h("img", { class: "chart", alt: t("chartAlt", { period: label }), src: URL.createObjectURL(blob) }));
  } catch (error) {
    if (error instanceof SessionEnded) throw error;
    figure.append(h("p", { class: "error", text: error.message }));
  }
  return figure;
}

async function figuresView(params) {
  const ticket = begin(t("figures"));
  await loadMe();
  const period = (params.get("period") || String(new Date().getFullYear())).slice(0, 60);
  const input = h("input", { id: "period", name: "period", type: "text", value: period, "aria-describedby": "period-hint", autocomplete: "off" });
  const form = h(
    "form",
    {
      id: "period-form",
      onsubmit: (event) => {
        event.preventDefault();
        go("figures", { period: input.value.trim() });
      },
    },
    h("label", { for: "period", text: t("period") }),
    h("div", { class: "row" }, h("div", { class: "grow" }, input), h("button", { type: "submit" }, t("show"))),
    h("p", { class: "hint", id: "period-hint", text: t("periodHint") }),
  );
  let data;
  try {
    data = await api(`figures?period=${encodeURIComponent(period)}`);
  } catch (error) {
    if (error instanceof SessionEnded) return;
    show(ticket, "figures", h("h1", { tabindex: "-1", text: t("figures") }), form, h("p", { class: "banner", role: "alert", text: error.message }));
    return;
  }
  const label = typeof data.period === "object" ? data.period?.label : data.period;
  const slug = typeof data.period === "object" ? data.period?.slug : period;
  const message = h("p", { id: "download-status", role: "status" });
  const downloadButton = h("button", { type: "button", id: "download", onclick: () => download(period, slug, downloadButton, message) }, t("download"));
  const totals = data.totals || null;
  const chart = await chartImage(period, label || period, ticket);
  show(
    ticket,
    "figures",
    h("h1", { tabindex: "-1", text: t("figures") }),
    form,
    label ? h("p", { id: "period-label" }, h("strong", { text: label })) : null,
    h("div", { class: "actions" }, downloadButton),
    message,
    data.empty ? h("p", { class: "banner", text: t("noRows") }) : null,
    h("h2", { text: t("byTeam") }),
    figuresTable(data.rows, totals),
    totals ? countsList(t("bySector"), "by-sector", totals.by_sector) : null,
    totals ? countsList(t("byInstitutionFigures"), "by-institution", totals.by_institution) : null,
    totals ? kindsTable(totals.by_kind) : null,
    h("h2", { text: t("chart") }),
    chart,
  );
}

// ---------------------------------------------------------------- start

/** An event to the Telegram app, as telegram-web-app.js would post it (that script is not
 * loaded: nothing comes from the internet). Outside Telegram, nothing happens. */
function tellTelegram(eventType) {
  try {
    if (window.TelegramWebviewProxy?.postEvent) {
      window.TelegramWebviewProxy.postEvent(eventType, undefined);
    } else if (window.external && "notify" in window.external) {
      window.external.notify(JSON.stringify({ eventType }));
    } else if (window.parent !== window) {
      window.parent.postMessage(JSON.stringify({ eventType }), "*");
    }
  } catch {
    /* an old client: the page works without */
  }
}

async function start() {
  const tg = window.Telegram?.WebApp;
  if (tg) {
    try {
      tg.ready?.();
      tg.expand?.();
    } catch {
      /* an old client: the page works without */
    }
  } else {
    tellTelegram("web_app_ready");
    tellTelegram("web_app_expand");
  }
  translateShell();
  if (!(await signIn())) return;
  translateShell();
  window.addEventListener("hashchange", () => {
    // Telegram may re-append launch parameters to the hash: ignore them as a route.
    if (location.hash.includes("tgWebApp")) {
      history.replaceState(null, "", `${location.pathname}${location.search}#/calendar`);
    }
    render();
  });
  if (!location.hash.startsWith("#/")) history.replaceState(null, "", `${location.pathname}${location.search}#/calendar`);
  await render();
}

start().catch((error) => {
  // Never a blank page: whatever failed, say so and how to start again.
  if (!(error instanceof SessionEnded)) showRefusal(error?.message || String(error), true);
});
