// Herald's browser client: one ES module, no build step (DESIGN.md §9).
//
//   import { connect } from 'https://herald.example/_herald/herald.js';
//   const h = connect({ token });                       // url defaults to the page's origin
//   const pony = h.subscribe('pony', [4], m => ...);    // m = the Sails message plus its seq
//   const reply = await h.request('DELETE', '/pony/4'); // { statusCode, headers, body }
//   h.on('status', s => ...);                           // 'connected' | 'reconnecting' | 'offline'
//   h.on('resync', ({ model, ids }) => ...);            // history was lost: read again what you show
//
// It speaks the Vert.x event-bus bridge frames over SockJS (every transport, so it works where
// WebSocket is blocked), as realtime.md describes. After any disconnect it reconnects with
// exponential backoff and jitter, subscribes again with `since`/`epoch` (all resuming subscribes in
// one go, so that Herald replays them as one ordered stream) and drops any seq already delivered: an
// application sees each notification once, or a `resync`.

const PING_EVERY_MS = 5000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;
const RECENT_KEPT = 256;

export function connect(options = {}) {
  return new Herald(options);
}

class Herald {
  #url;
  #token;
  #transports;
  #socket = null;
  #status = 'offline';
  #closed = false;
  #attempt = 0;
  #retryTimer = null;
  #pingTimer = null;
  #listeners = { status: new Set(), resync: new Set(), error: new Set() };
  #handles = new Set();
  #pending = new Map();   // replyAddress -> { resolve, reject, survivesClose, sent }
  #waiting = [];          // frames of requests made while disconnected
  #nextReply = 0;
  #recent = [];           // the last notifications no subscription claimed: { model, message }
  #epoch = null;          // the notification log's epoch, from the last subscribe or watch reply
  #since = null;          // BigInt, in #epoch: where a resume starts, the largest seq delivered or promised by a reply
  #delivered = null;      // BigInt, in #epoch: the largest seq delivered; a replay of it or anything before is dropped

  constructor({ url = globalThis.location?.origin, token = null, transports = undefined } = {}) {
    this.#url = String(url).replace(/\/+$/, '') + '/realtime';
    this.#token = token;
    this.#transports = transports;
    globalThis.addEventListener?.('online', () => this.#reconnectNow());
    this.#open();
  }

  get status() {
    return this.#status;
  }

  /** Listens to 'status', 'resync' or 'error' (err frames with no request of yours to fail); returns a function that stops it. */
  on(event, listener) {
    const listeners = this.#listeners[event];
    if (!listeners) throw new TypeError(`no event '${event}' (status, resync, error)`);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /**
   * Messages of these records (ids as the model's primary key) until each is destroyed. `after`: the
   * X-Herald-Seq of the GET reply these ids come from; the messages of these records later than it
   * that arrived before this call (the GET subscribed the socket already) are delivered first.
   */
  subscribe(model, ids, onMessage, { after } = {}) {
    if (!Array.isArray(ids)) throw new TypeError('ids must be an array');
    const subscription = new Subscription(this, model, ids, onMessage);
    if (after !== undefined && after !== null) {
      const from = BigInt(after);
      const missed = this.#recent.filter(r => r.model === model && BigInt(r.message.seq) > from);
      queueMicrotask(() => missed.forEach(r => subscription.offer(r.model, r.message)));
    }
    return this.#add(subscription);
  }

  /** The model's `created` messages, and the later messages of the records created since. */
  watch(model, onMessage) {
    return this.#add(new Subscription(this, model, null, onMessage));
  }

  /**
   * Runs a REST action over the socket (the sails.io.js way), as the signed-in subject; resolves to
   * { statusCode, headers, body }, errors included. Made while disconnected, it waits for the next
   * connection; if the connection drops before the reply, it rejects: it may or may not have run.
   */
  request(method, path, data = {}) {
    return this.#send('herald.request', { method, url: path, data }, false);
  }

  close() {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
    this.#lost('closed');
    for (const pending of this.#pending.values()) pending.reject(new Error('closed'));
    this.#pending.clear();
    this.#waiting = [];
    this.#setStatus('offline');
  }

  #add(subscription) {
    this.#handles.add(subscription);
    if (this.#status === 'connected') subscription.resume(false);
    return subscription.handle;
  }

  // --- the connection ---

  async #open() {
    if (this.#closed) return;
    let SockJS;
    try {
      SockJS = await loadSockJS();
    } catch (e) {
      this.#retry();
      return;
    }
    if (this.#closed) return;
    let socket;
    try {
      socket = new SockJS(this.#url, null, this.#transports ? { transports: this.#transports } : {});
    } catch (e) {
      this.#emit('error', { failureCode: 0, message: e.message });
      this.close();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => this.#opened();
    socket.onmessage = event => this.#frame(event.data);
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#lost('connection lost before the reply: the request may or may not have been carried out');
      this.#retry();
    };
  }

  #opened() {
    this.#attempt = 0;
    this.#setStatus('connected');
    this.#pingTimer = setInterval(() => this.#write({ type: 'ping' }), PING_EVERY_MS);
    // resubscribe first, all together, then the requests made while away
    for (const subscription of this.#handles) subscription.resume(true);
    const waiting = this.#waiting;
    this.#waiting = [];
    waiting.forEach(frame => this.#write(frame, true));
  }

  #retry() {
    if (this.#closed) return;
    if (globalThis.navigator?.onLine === false) {
      this.#setStatus('offline');   // the 'online' event brings it back
      return;
    }
    this.#setStatus('reconnecting');
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.#attempt++);
    const delay = ceiling / 2 + Math.random() * ceiling / 2;
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  #reconnectNow() {
    if (this.#closed || this.#socket) return;
    clearTimeout(this.#retryTimer);
    this.#attempt = 0;
    this.#setStatus('reconnecting');
    this.#open();
  }

  /**
   * The socket is gone: requests it carried fail, subscriptions wait to be resumed, requests not sent
   * yet wait for the next connection.
   */
  #lost(why) {
    clearInterval(this.#pingTimer);
    for (const [address, pending] of this.#pending) {
      if (!pending.sent) continue;
      if (!pending.survivesClose) pending.reject(new Error(why));
      this.#pending.delete(address);
    }
  }

  #setStatus(status) {
    if (status === this.#status) return;
    this.#status = status;
    this.#emit('status', status);
  }

  #emit(event, value) {
    for (const listener of this.#listeners[event]) {
      try {
        listener(value);
      } catch (e) {
        console.error(e);
      }
    }
  }

  #write(frame, sent = false) {
    if (sent) this.#pending.get(frame.replyAddress).sent = true;
    this.#socket?.send(JSON.stringify(frame));
  }

  // --- frames out ---

  /** A send frame with a reply address; subscription frames are not failed by a close (they are resent). */
  #send(address, body, subscription) {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new Error('closed'));
        return;
      }
      const replyAddress = 'herald.reply.' + ++this.#nextReply;
      const frame = { type: 'send', address, replyAddress, headers: this.#headers(), body };
      this.#pending.set(replyAddress, { resolve, reject, survivesClose: subscription, sent: false });
      if (this.#status === 'connected') this.#write(frame, true);
      else if (!subscription) this.#waiting.push(frame);
    });
  }

  #headers() {
    return this.#token ? { authorization: 'Bearer ' + this.#token } : {};
  }

  _subscribe(model, ids, resuming) {
    return this.#send('herald.subscribe', { model, ids, ...this.#position(resuming) }, true);
  }

  _watch(model, resuming) {
    return this.#send('herald.watch', { model, ...this.#position(resuming) }, true);
  }

  _unsubscribe(model, ids) {
    if (this.#status === 'connected' && ids.length > 0) {
      this.#write({ type: 'send', address: 'herald.unsubscribe', headers: this.#headers(), body: { model, ids } });
    }
  }

  #position(resuming) {
    return resuming && this.#epoch !== null && this.#since !== null
      ? { since: this.#since.toString(), epoch: this.#epoch }
      : {};
  }

  /** Ids still claimed by a subscription other than `except`, for unsubscribing the rest. */
  _claimed(model, except) {
    const claimed = new Set();
    for (const s of this.#handles) {
      if (s !== except && s.model === model) s.ids.forEach((id, key) => claimed.add(key));
    }
    return claimed;
  }

  _remove(subscription) {
    this.#handles.delete(subscription);
  }

  /** A subscribe or watch reply: where live delivery starts, in which epoch. */
  _positioned(reply) {
    if (typeof reply.epoch === 'string' && reply.epoch !== this.#epoch) {
      this.#epoch = reply.epoch;
      this.#since = null;
      this.#delivered = null;
    }
    if (typeof reply.seq === 'string') {
      const seq = BigInt(reply.seq);
      if (this.#since === null || seq > this.#since) this.#since = seq;
    }
  }

  _resync(model, ids) {
    this.#emit('resync', { model, ids });
  }

  _refused(model, error) {
    this.#emit('error', { failureCode: error.failureCode ?? 0, message: error.message, model });
  }

  // --- frames in ---

  #frame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    const pending = this.#pending.get(frame.address);
    if (pending) {
      this.#pending.delete(frame.address);
      if (frame.type === 'err') pending.reject(Object.assign(new Error(frame.message), { failureCode: frame.failureCode }));
      else pending.resolve(frame.body);
    } else if (frame.type === 'err') {
      this.#emit('error', { failureCode: frame.failureCode, message: frame.message });
    } else if (frame.type === 'rec' && typeof frame.address === 'string') {
      this.#notification(frame.address, frame.headers?.seq, frame.body);
    }
  }

  #notification(model, seq, body) {
    if (typeof seq === 'string') {
      const position = BigInt(seq);
      if (this.#delivered !== null && position <= this.#delivered) return;   // delivered before a reconnect
      this.#delivered = position;
      if (this.#since === null || position > this.#since) this.#since = position;
    }
    const message = { ...body, seq };
    let claimed = false;
    for (const subscription of [...this.#handles]) claimed = subscription.offer(model, message) || claimed;
    if (!claimed && typeof seq === 'string') {
      this.#recent.push({ model, message });
      if (this.#recent.length > RECENT_KEPT) this.#recent.shift();
    }
  }
}

/** One subscribe (ids) or watch (ids null: the records created since it started) of an application. */
class Subscription {
  constructor(herald, model, ids, onMessage) {
    this.herald = herald;
    this.model = model;
    this.watching = ids === null;
    this.ids = new Map((ids ?? []).map(id => [String(id), id]));   // key -> id as the server writes it
    this.onMessage = onMessage;
    this.started = false;
    let ready;
    this.handle = {
      model,
      ready: new Promise((resolve, reject) => { ready = { resolve, reject }; }),
      close: () => this.close(),
    };
    this.handle.ready.catch(() => {});
    this.ready = ready;
  }

  /** (Re)subscribes on a fresh connection; from the last position when this subscription had started. */
  resume(reconnected) {
    const resuming = reconnected && this.started;
    const replies = [];
    if (this.watching) replies.push(this.herald._watch(this.model, resuming));
    // a watch's records created before a reconnect are not in the new socket's rooms: subscribe them
    if (this.ids.size > 0 || (!this.watching && !this.started)) {
      replies.push(this.herald._subscribe(this.model, [...this.ids.values()], resuming));
    }
    for (const reply of replies) {
      reply.then(body => this.#answered(body), error => this.#refused(error));
    }
  }

  #answered(body) {
    this.herald._positioned(body);
    // a replayed destroyed has removed its id already; these never existed, or are gone
    for (const id of body.notFound ?? []) this.ids.delete(String(id));
    if (body.resync === true) {
      this.herald._resync(this.model, this.watching ? null : [...this.ids.values()]);
    }
    this.started = true;
    this.ready.resolve(body);
  }

  #refused(error) {
    if (!error.failureCode) return;   // the connection was lost: resumed on the next one
    this.herald._refused(this.model, error);
    this.ready.reject(error);
  }

  /** Delivers the message if it is this subscription's; says whether it was. */
  offer(model, message) {
    if (model !== this.model) return false;
    const key = String(message.id);
    if (this.watching && message.verb === 'created') this.ids.set(key, message.id);
    else if (!this.ids.has(key)) return false;
    if (message.verb === 'destroyed') this.ids.delete(key);
    try {
      this.onMessage(message);
    } catch (e) {
      console.error(e);
    }
    return true;
  }

  close() {
    this.herald._remove(this);
    const claimed = this.herald._claimed(this.model, this);
    this.herald._unsubscribe(this.model, [...this.ids].filter(([key]) => !claimed.has(key)).map(([, id]) => id));
    this.ids.clear();
  }
}

let sockJs = null;

/** The SockJS browser client that this node serves beside this file (from the sockjs-client WebJar). */
function loadSockJS() {
  if (globalThis.SockJS) return Promise.resolve(globalThis.SockJS);
  sockJs ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('sockjs.min.js', import.meta.url).href;
    script.onload = () => resolve(globalThis.SockJS);
    script.onerror = () => {
      script.remove();
      sockJs = null;
      reject(new Error('cannot load ' + script.src));
    };
    (document.head ?? document.documentElement).append(script);
  });
  return sockJs;
}
