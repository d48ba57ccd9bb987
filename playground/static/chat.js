// The moodtune playground page: follows the chat through the playground's long-poll API and
// renders it like a Telegram chat. Plain JS, no build step. Bot text is Telegram HTML: it is parsed
// inert (DOMParser) and rebuilt from an allow-list of tags, never assigned as innerHTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { chat: null, next: 0, generation: 0, read: new Set(), pending: new Map(), answered: new Set() };
const TAP_PATIENCE = 15000; // ms: like Telegram's apps, a button the bot never answers stops spinning

// -- Telegram HTML, safely ---------------------------------------------------------------------
const SIMPLE = { b: "b", strong: "b", i: "i", em: "i", u: "u", ins: "u", s: "s", strike: "s", del: "s",
                 code: "code", pre: "pre", blockquote: "blockquote" };
const LINK_SCHEMES = new Set(["http:", "https:", "tg:", "mailto:"]);
const COMMAND = /(^|[\s(])(\/[A-Za-z0-9_]{1,32})(?=$|[\s.,:;!?)\]])/g;

function safeHref(href) {
  try {
    const url = new URL(href || "");
    return LINK_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null; // relative or malformed: not a link Telegram would open
  }
}

// Plain text, with /commands as buttons that send them (Telegram makes them tappable too).
function textWithCommands(text) {
  const out = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(COMMAND)) {
    const start = match.index + match[1].length;
    out.append(text.slice(last, start));
    const command = document.createElement("button");
    command.type = "button";
    command.className = "command";
    command.textContent = match[2];
    command.addEventListener("click", () => sendText(match[2]));
    out.append(command);
    last = start + match[2].length;
  }
  out.append(text.slice(last));
  return out;
}

function rebuild(node) {
  const out = document.createDocumentFragment();
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      out.append(textWithCommands(child.textContent));
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = child.tagName.toLowerCase();
    let element;
    if (tag === "a") {
      const href = safeHref(child.getAttribute("href"));
      element = document.createElement(href ? "a" : "span");
      if (href) {
        element.href = href;
        element.target = "_blank";
        element.rel = "noopener noreferrer";
      }
    } else if (tag in SIMPLE) {
      element = document.createElement(SIMPLE[tag]);
    } else if (tag === "tg-spoiler" || (tag === "span" && child.classList.contains("tg-spoiler"))) {
      element = document.createElement("span");
      element.className = "spoiler";
      element.tabIndex = 0;
      element.setAttribute("role", "button");
      element.setAttribute("aria-label", "Hidden text: press to show");
      const show = () => { element.classList.add("shown"); element.removeAttribute("aria-label"); };
      element.addEventListener("click", show);
      element.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") show(); });
    } else {
      element = document.createElement("span"); // anything else keeps its text only
    }
    element.append(rebuild(child));
    out.append(element);
  }
  return out;
}

function telegramHTML(html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html"); // inert: no scripts run
  return rebuild(parsed.body);
}

// -- rendering ---------------------------------------------------------------------------------
function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function photoOf(message) {
  const sizes = message.photo || [];
  return sizes.length ? sizes[sizes.length - 1] : null;
}

function renderKeyboard(message) {
  const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
  if (!rows.length) return null;
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  keyboard.setAttribute("role", "group");
  keyboard.setAttribute("aria-label", "Buttons");
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      let element;
      const href = button.url && safeHref(button.url);
      if (href) {
        element = document.createElement("a");
        element.href = href;
        element.target = "_blank";
        element.rel = "noopener noreferrer";
      } else {
        element = document.createElement("button");
        element.type = "button";
        element.dataset.callback = button.callback_data;
        element.addEventListener("click", () => tap(message.message_id, button.callback_data, element));
      }
      element.textContent = button.text;
      line.append(element);
    }
    keyboard.append(line);
  }
  return keyboard;
}

function renderMessage(message) {
  const fromBot = Boolean(message.from && message.from.is_bot);
  const item = document.createElement("li");
  item.className = `msg ${fromBot ? "bot" : "me"}`;
  item.id = `m${message.message_id}`;
  item.dataset.id = message.message_id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  const who = document.createElement("span");
  who.className = "visually-hidden";
  who.textContent = fromBot ? `${$("bot-name").textContent}: ` : "You: ";
  bubble.append(who);

  const photo = photoOf(message);
  if (photo) {
    const image = document.createElement("img");
    image.className = "photo";
    image.src = `/api/files/${encodeURIComponent(photo.file_id)}`;
    image.alt = fromBot ? "Picture from the bot" : "Your photo";
    if (photo.width > 1 && photo.height > 1) {
      image.width = photo.width;
      image.height = photo.height;
    }
    bubble.append(image);
  }
  if (message.document) {
    const file = document.createElement("div");
    file.className = "file";
    file.textContent = `📄 ${message.document.file_name || "file"}`;
    bubble.append(file);
  }
  const body = message.text ?? message.caption ?? "";
  if (body || !(photo || message.document)) {
    const text = document.createElement("div");
    text.className = "text";
    if (fromBot) text.append(telegramHTML(body));
    else text.textContent = body || "(something the page can't show)";
    bubble.append(text);
  }
  const meta = document.createElement("span");
  meta.className = "meta";
  if (message.edit_date) meta.append("edited ");
  const time = document.createElement("time");
  time.dateTime = new Date(message.date * 1000).toISOString();
  time.textContent = clock(message.date);
  meta.append(time);
  if (!fromBot) {
    const ticks = document.createElement("span");
    ticks.className = "ticks";
    meta.append(ticks);
  }
  bubble.append(meta);
  item.append(bubble);
  const keyboard = fromBot && renderKeyboard(message);
  if (keyboard) item.append(keyboard);
  markRead(item);
  return item;
}

function markRead(item) {
  const ticks = item.querySelector(".ticks");
  if (!ticks) return;
  const read = state.read.has(Number(item.dataset.id));
  ticks.textContent = read ? "✓✓" : "✓";
  ticks.setAttribute("aria-label", read ? "seen by the bot" : "sent");
}

function nearBottom() {
  const chat = $("chat");
  return chat.scrollHeight - chat.scrollTop - chat.clientHeight < 80;
}

function scrollDown() {
  const chat = $("chat");
  chat.scrollTop = chat.scrollHeight;
}

// An edit re-renders a message; a keyboard user keeps their place: the same button, else the message.
function replaceKeepingFocus(old, item) {
  const focused = old.contains(document.activeElement) ? document.activeElement : null;
  old.replaceWith(item);
  if (!focused) return;
  const same = [...item.querySelectorAll("button")].find((b) => focused.dataset.callback
    ? b.dataset.callback === focused.dataset.callback : b.textContent === focused.textContent);
  if (same) {
    same.focus();
  } else {
    item.tabIndex = -1;
    item.focus();
  }
}

function apply(event) {
  const list = $("messages");
  if (event.type === "message") {
    const item = renderMessage(event.message);
    const old = document.getElementById(item.id);
    if (old) replaceKeepingFocus(old, item);
    else list.append(item);
    if (!event.message.from.is_bot) scrollDown();
  } else if (event.type === "deleted") {
    const old = document.getElementById(`m${event.message_id}`);
    if (old) old.remove();
  } else if (event.type === "read") {
    state.read.add(event.message_id);
    const item = document.getElementById(`m${event.message_id}`);
    if (item) markRead(item);
  } else if (event.type === "answer") {
    const button = state.pending.get(event.query_id);
    state.pending.delete(event.query_id);
    state.answered.add(event.query_id); // the answer may beat the tap's own response here
    if (button) button.removeAttribute("aria-busy");
    if (event.text) toast(event.text, event.show_alert);
  }
}

function showCommands(commands) {
  const list = $("commands");
  $("menu-button").hidden = commands.length === 0;
  if (list.childElementCount === commands.length) return;
  list.replaceChildren();
  for (const { command, description } of commands) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = `/${command}`;
    button.append(name, " ", description);
    button.addEventListener("click", () => { toggleMenu(false); sendText(`/${command}`); });
    item.append(button);
    list.append(item);
  }
}

function refreshEmptyState() {
  const empty = $("messages").childElementCount === 0;
  const starting = !empty && !$("start").hidden && document.activeElement === $("start");
  $("intro").hidden = !empty;
  $("start").hidden = !empty;
  $("composer").hidden = empty;
  if (starting) $("text").focus(); // Start pressed: the keyboard goes on in the message box
}

let toastTimer = null;
function toast(text, alert = false) {
  const box = $("toast");
  box.textContent = text;
  box.classList.toggle("alert", alert);
  box.setAttribute("aria-live", alert ? "assertive" : "polite");
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, alert ? 6000 : 3000);
}

// -- the conversation ----------------------------------------------------------------------------
async function poll() {
  const generation = state.generation;
  let delay = 500;
  while (generation === state.generation) {
    let data;
    try {
      const query = new URLSearchParams({ chat: state.chat ?? "", after: state.next });
      const response = await fetch(`/api/events?${query}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`${response.status}`);
      data = await response.json();
      $("offline").hidden = true;
      delay = 500;
    } catch {
      $("offline").hidden = false;
      await new Promise((resolve) => setTimeout(resolve, delay)); // back off while the server is away
      delay = Math.min(delay * 2, 5000);
      continue;
    }
    if (generation !== state.generation) return;
    if (data.chat !== state.chat) { // a new page, or the chat was reset (maybe in another tab)
      $("messages").replaceChildren();
      state.chat = data.chat;
      state.read.clear();
      state.pending.clear();
      state.answered.clear();
    }
    $("bot-name").textContent = data.bot;
    const follow = nearBottom();
    data.events.forEach(apply);
    state.next = data.next;
    showCommands(data.commands || []);
    refreshEmptyState();
    if (follow) scrollDown();
  }
}

async function post(path, body) {
  const json = !(body instanceof FormData);
  const response = await fetch(path, {
    method: "POST",
    headers: json ? { "Content-Type": "application/json" } : {},
    body: json ? JSON.stringify(body) : body,
  });
  if (response.status === 409) { // another tab reset the chat: follow the new one
    restart();
    throw new Error("This conversation was reset.");
  }
  if (!response.ok) throw new Error((await response.text()) || `Error ${response.status}`);
  return response.json();
}

async function sendText(text) {
  text = text.trim();
  if (!text) return;
  try {
    await post("/api/messages", { chat: state.chat, text });
  } catch (error) {
    toast(error.message, true);
  }
}

async function sendPhoto(blob, name) {
  const form = new FormData();
  form.append("chat", state.chat);
  form.append("photo", blob, name);
  try {
    await post("/api/photos", form);
  } catch (error) {
    toast(error.message, true);
  }
}

async function tap(messageId, data, button) {
  if (button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  try {
    const { query_id: queryId } = await post("/api/taps", { chat: state.chat, message_id: messageId, data });
    if (state.answered.has(queryId)) {
      button.removeAttribute("aria-busy");
    } else {
      state.pending.set(queryId, button);
      setTimeout(() => button.removeAttribute("aria-busy"), TAP_PATIENCE);
    }
  } catch (error) {
    button.removeAttribute("aria-busy");
    toast(error.message, true);
  }
}

function restart() {
  state.generation += 1;
  state.chat = null;
  state.next = 0;
  poll();
}

async function reset() {
  try {
    await post("/api/reset", {});
  } catch (error) {
    toast(error.message, true);
    return;
  }
  $("messages").replaceChildren();
  refreshEmptyState();
  restart();
  $("start").focus();
}

// -- the composer, the menu, the camera ------------------------------------------------------------
function toggleMenu(open) {
  const menu = $("menu");
  open = open ?? menu.hidden;
  menu.hidden = !open;
  $("menu-button").setAttribute("aria-expanded", String(open));
  if (open) menu.querySelector("button")?.focus();
}

let stream = null;
async function openCamera() {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
  } catch {
    toast("The browser didn't allow the camera. Send a photo file with 📎 instead.", true);
    return;
  }
  $("camera-video").srcObject = stream;
  $("camera").showModal();
}

function closeCamera() {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  $("camera-video").srcObject = null;
  if ($("camera").open) $("camera").close();
}

function shoot() {
  const video = $("camera-video");
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  closeCamera();
  canvas.toBlob((blob) => blob && sendPhoto(blob, "selfie.jpg"), "image/jpeg", 0.9);
}

function wire() {
  const text = $("text");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = text.value;
    text.value = "";
    text.style.height = "";
    sendText(value);
  });
  text.addEventListener("keydown", (event) => { // Enter sends, Shift+Enter is a new line
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  text.addEventListener("input", () => {
    text.style.height = "";
    text.style.height = `${Math.min(text.scrollHeight, 140)}px`;
  });
  $("start").addEventListener("click", () => sendText("/start"));
  $("reset").addEventListener("click", reset);
  $("menu-button").addEventListener("click", () => toggleMenu());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("menu").hidden) {
      toggleMenu(false);
      $("menu-button").focus();
    }
  });
  $("photo").addEventListener("change", (event) => {
    const [file] = event.target.files;
    event.target.value = "";
    if (file) sendPhoto(file, file.name);
  });
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    $("camera-button").hidden = false;
    $("camera-button").addEventListener("click", openCamera);
    $("camera-shoot").addEventListener("click", shoot);
    $("camera-cancel").addEventListener("click", closeCamera);
    $("camera").addEventListener("close", closeCamera);
  }
}

wire();
refreshEmptyState();
poll();
