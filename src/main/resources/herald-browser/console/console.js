// Herald's console, built on the browser client. The data-herald-* attributes are a stable contract
// (DESIGN.md §9): tests and extensions select by them.
import { connect } from '../herald.js';

const PAGE_SIZE = 20;
const FEED_SIZE = 200;
const LEAVE_MS = 1200;
const TOKEN_KEY = 'herald.token';

const $ = selector => document.querySelector(selector);
const ui = {
  status: $('[data-herald-status]'),
  error: $('[data-herald-error]'),
  signIn: $('#sign-in'),
  signInForm: $('#sign-in-form'),
  tokenInput: $('#token'),
  signOut: $('#sign-out'),
  workspace: $('#workspace'),
  models: $('#models'),
  head: $('#records thead'),
  body: $('#records tbody'),
  title: $('#records-title'),
  previous: $('#previous'),
  next: $('#next'),
  pageInfo: $('#page-info'),
  feed: $('#feed'),
  confirm: $('#confirm'),
  confirmText: $('#confirm-text'),
};

let herald = null;
let token = null;
let models = [];
let view = null;   // { model, skip, page: subscription handle, watch: watch handle }
let lastHandled = null;   // a record in both the page and the watch reaches both handles: shown once

// --- signing in: a pasted token, or #token=… (read, then removed from the address bar) ---

function tokenFromAddress() {
  const match = /^#token=(.+)$/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', location.pathname + location.search);
  return decodeURIComponent(match[1]);
}

async function start() {
  const given = tokenFromAddress();
  if (given) sessionStorage.setItem(TOKEN_KEY, given);
  token = sessionStorage.getItem(TOKEN_KEY);
  if (token || await authenticationIsOff()) {
    await open();
  } else {
    showSignIn();
  }
}

async function authenticationIsOff() {
  const response = await fetch('../models');
  return response.ok;
}

ui.signInForm.addEventListener('submit', async event => {
  event.preventDefault();
  token = ui.tokenInput.value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  ui.tokenInput.value = '';
  await open();
});

ui.signOut.addEventListener('click', () => signOut(null));

function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  herald?.close();
  herald = null;
  view = null;
  showSignIn();
  showError(reason);
}

function showSignIn() {
  ui.workspace.hidden = true;
  ui.signOut.hidden = true;
  ui.signIn.hidden = false;
  ui.tokenInput.focus();
}

async function open() {
  const response = await fetch('../models', { headers: token ? { authorization: 'Bearer ' + token } : {} });
  if (response.status === 401) {
    signOut('This token was refused (401): it is malformed, signed with another key or expired. Sign in again.');
    return;
  }
  if (!response.ok) {
    showError(`The model list could not be read (${response.status}).`);
    showSignIn();
    return;
  }
  models = (await response.json()).models;
  showError(null);
  ui.signIn.hidden = true;
  ui.signOut.hidden = !token;
  ui.workspace.hidden = false;
  herald = connect({ token });
  herald.on('status', showStatus);
  herald.on('resync', () => {
    feedNote('History was lost while away: the page was read again.');
    if (view) showPage(view.model, view.skip);
  });
  herald.on('error', e => e.failureCode === 401
    ? signOut('Signed out: ' + e.message + '. Sign in again with a fresh token.')
    : showError(`${e.message} (${e.failureCode})`));
  showModels();
  if (models.length > 0) showModel(models[0].identity);
}

function showStatus(status) {
  ui.status.textContent = status;
  ui.status.className = status;
}

function showError(message) {
  ui.error.textContent = message ?? '';
  ui.error.hidden = !message;
}

// --- the model picker and the records table ---

function showModels() {
  ui.models.replaceChildren(...models.map(model => {
    const button = element('button', { type: 'button', 'data-herald-model': model.identity }, model.identity);
    button.addEventListener('click', () => showModel(model.identity));
    return element('li', {}, button);
  }));
}

function modelNamed(identity) {
  return models.find(m => m.identity === identity);
}

function columnsOf(model) {
  return ['id', ...model.attributes.map(a => a.name), 'updatedAt'];
}

function showModel(identity) {
  view?.page?.close();
  view?.watch?.close();
  for (const button of ui.models.querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.heraldModel === identity));
  }
  const model = modelNamed(identity);
  ui.title.textContent = `Records: ${identity}`;
  ui.head.replaceChildren(element('tr', {},
    ...columnsOf(model).map(c => element('th', { scope: 'col' }, c)),
    element('th', { scope: 'col' }, element('span', { class: 'visually-hidden' }, 'Actions'))));
  view = { model: identity, skip: 0, page: null, watch: herald.watch(identity, message => onMessage(identity, message)) };
  showPage(identity, 0);
}

async function showPage(identity, skip) {
  let reply;
  try {
    reply = await herald.request('GET', '/' + identity, { limit: PAGE_SIZE + 1, skip, sort: 'id ASC' });
  } catch (e) {
    showError(`Reading ${identity}: ${e.message}. Choose the model again once connected.`);
    return;
  }
  if (view?.model !== identity) return;
  if (reply.statusCode !== 200) {
    showError(`Reading ${identity} failed: ${describe(reply)}`);
    return;
  }
  const records = reply.body.slice(0, PAGE_SIZE);
  view.page?.close();
  view.skip = skip;
  // in the reply's turn, from its position: no message of these records slips by; records destroyed
  // while the page was read come back in notFound
  const page = herald.subscribe(identity, records.map(r => r.id), message => onMessage(identity, message),
    { after: reply.headers['X-Herald-Seq'] });
  view.page = page;
  ui.body.replaceChildren(...records.map(r => row(identity, r)));
  page.ready.then(({ notFound }) => notFound.forEach(id => {
    const tr = rowOf(identity, id);
    if (tr && view?.page === page) leave(tr);
  }), () => {});
  ui.previous.disabled = skip === 0;
  ui.next.disabled = reply.body.length <= PAGE_SIZE;
  showPageInfo();
}

function showPageInfo() {
  const shown = ui.body.querySelectorAll('tr:not([data-herald-state="destroyed"])').length;
  ui.pageInfo.textContent = shown === 0 ? 'No records' : `Records ${view.skip + 1}–${view.skip + shown}`;
}

ui.previous.addEventListener('click', () => view && showPage(view.model, Math.max(0, view.skip - PAGE_SIZE)));
ui.next.addEventListener('click', () => view && showPage(view.model, view.skip + PAGE_SIZE));

function row(identity, record) {
  const model = modelNamed(identity);
  const tr = element('tr', { 'data-herald-model': identity, 'data-herald-id': String(record.id) });
  for (const column of columnsOf(model)) {
    tr.append(element('td', { 'data-herald-attribute': column }, show(column, record[column])));
  }
  const destroy = element('button', {
    type: 'button', 'data-herald-action': 'destroy', class: 'danger',
    'aria-label': `Destroy ${identity} ${record.id}`,
  }, 'Destroy');
  destroy.addEventListener('click', () => confirmDestroy(identity, record.id, tr));
  tr.append(element('td', {}, destroy));
  return tr;
}

function rowOf(identity, id) {
  return ui.body.querySelector(`tr[data-herald-model="${CSS.escape(identity)}"][data-herald-id="${CSS.escape(String(id))}"]`);
}

function show(column, value) {
  if (value === null || value === undefined) return '';
  if (column === 'updatedAt' || column === 'createdAt') return new Date(value).toLocaleString();
  if (Array.isArray(value)) return value.map(v => (v && typeof v === 'object' ? v.id : v)).join(', ');
  if (typeof value === 'object') return 'id' in value ? `${value.id}${value.name ? ' (' + value.name + ')' : ''}` : JSON.stringify(value);
  return String(value);
}

// --- live updates ---

function onMessage(identity, message) {
  if (message.seq !== undefined && message.seq === lastHandled) return;
  lastHandled = message.seq;
  feedEntry(identity, message, false);
  const tr = rowOf(identity, message.id);
  switch (message.verb) {
    case 'created':
      if (!tr && view?.model === identity) {
        const added = row(identity, { id: message.id, ...message.data });
        added.classList.add('arrived');
        ui.body.append(added);
        showPageInfo();
      }
      break;
    case 'updated':
      if (tr) Object.entries(message.data ?? {}).forEach(([column, value]) => setCell(tr, column, value));
      break;
    case 'addedTo':
    case 'removedFrom':
      if (tr) changeCollection(tr, message);
      break;
    case 'destroyed':
      if (tr) leave(tr);
      break;
  }
}

function setCell(tr, column, value) {
  const td = tr.querySelector(`td[data-herald-attribute="${CSS.escape(column)}"]`);
  if (!td) return;
  td.textContent = show(column, value);
  flash(td, 'changed');
}

function changeCollection(tr, { verb, attribute, addedId, removedId }) {
  const td = tr.querySelector(`td[data-herald-attribute="${CSS.escape(attribute)}"]`);
  if (!td) return;
  const ids = td.textContent ? td.textContent.split(', ') : [];
  const changed = verb === 'addedTo' ? [...ids, String(addedId)] : ids.filter(id => id !== String(removedId));
  td.textContent = changed.join(', ');
  flash(td, 'changed');
}

/** A destroyed record's row flashes, then leaves; screen readers hear it from the feed. */
function leave(tr) {
  if (tr.dataset.heraldState === 'destroyed') return;
  tr.dataset.heraldState = 'destroyed';
  tr.classList.add('leaving');
  tr.querySelector('button[data-herald-action="destroy"]').disabled = true;
  if (view) showPageInfo();
  setTimeout(() => tr.remove(), LEAVE_MS);
}

function flash(node, name) {
  node.classList.remove(name);
  void node.offsetWidth;   // restarts the animation
  node.classList.add(name);
}

function feedEntry(identity, message, yours) {
  const time = new Date();
  const li = element('li', {
    'data-herald-event': '', 'data-verb': message.verb, 'data-model': identity,
    'data-id': String(message.id), 'data-seq': message.seq ?? '',
  },
  element('time', { datetime: time.toISOString() }, time.toLocaleTimeString()), ' ',
  element('strong', {}, message.verb), ` ${identity} ${message.id}`,
  message.seq ? element('span', { class: 'seq' }, ` · seq ${message.seq}`) : '',
  yours ? element('span', { class: 'seq' }, ' · by you') : '');
  if (yours) li.dataset.origin = 'you';
  ui.feed.prepend(li);
  while (ui.feed.children.length > FEED_SIZE) ui.feed.lastElementChild.remove();
}

function feedNote(text) {
  ui.feed.prepend(element('li', { class: 'note' }, text));
}

// --- destroy, with a confirmation ---

function confirmDestroy(identity, id, tr) {
  const name = tr.querySelector('td[data-herald-attribute="name"]')?.textContent;
  ui.confirmText.textContent = `Destroy ${identity} ${id}${name ? ' (' + name + ')' : ''}? This cannot be undone.`;
  ui.confirm.returnValue = '';
  ui.confirm.onclose = () => {
    if (ui.confirm.returnValue === 'destroy') destroy(identity, id, tr);
  };
  ui.confirm.showModal();
}

async function destroy(identity, id, tr) {
  let reply;
  try {
    reply = await herald.request('DELETE', `/${identity}/${encodeURIComponent(id)}`);
  } catch (e) {
    showError(`Destroying ${identity} ${id}: ${e.message}`);
    return;
  }
  if (reply.statusCode === 200) {
    showError(null);
    feedEntry(identity, { verb: 'destroyed', id }, true);
    leave(tr);
  } else {
    showError(`${identity} ${id} was not destroyed: ${describe(reply)}`);
  }
}

/** An error reply in words; a 409 E_HAS_CHILDREN names the blocking children. */
function describe({ statusCode, body }) {
  const children = body?.details?.children;
  const blocking = children
    ? ' Blocking children: ' + Object.entries(children).map(([model, ids]) => `${model} ${ids.join(', ')}`).join('; ') + '.'
    : '';
  return `${body?.message ?? 'error'} (${statusCode} ${body?.code ?? ''})${blocking}`;
}

function element(name, attributes, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

start();
