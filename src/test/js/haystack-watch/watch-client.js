'use strict'
// haystack-nclient's own watch API (client.ops.watch: WatchOpApis on the Haystack ops watchSub,
// watchPoll, watchUnsub) against a Herald node. Prints one line per fact for the Java test:
//
//   STOCK-REQUEST / STOCK-RESPONSE / STOCK-ERROR / STOCK-ABOUT
//       the client exactly as shipped (only its documented options: base, authBearer, getOpUrl,
//       and a fetch that records and passes everything through unchanged)
//   OPENED / READY / POLL / CHANGED / CLOSED
//       the same watch API through a fetch that only translates the wire format (the client's
//       Zinc requests into Herald's JSON v3, Herald's JSON v3 answers into Hayson, which the client
//       reads): the library's own polling, diffing and events run unchanged on top.
//   FAILED <reason> on anything unexpected (then exit 1).
//
// Usage: node watch-client.js <base url> <token> <changed id> <deleted id>
// After READY it polls every second; a line "close" on stdin closes the watch the library's way.

const hs = require('haystack-core')
const { Client, WatchEventType } = require('haystack-nclient')

const [base, token, changedId, deletedId] = process.argv.slice(2)
const HAYSON = hs.HAYSON_MIME_TYPE

function out(tag, value) {
  process.stdout.write(tag + (value === undefined ? '' : ' ' + JSON.stringify(value)) + '\n')
}

function fail(reason) {
  out('FAILED', String(reason && reason.stack ? reason.stack : reason))
  process.exit(1)
}

// A hang guard only: the Java test drives the pace.
setTimeout(() => fail('no close within 240 s'), 240_000).unref()

// Herald serves every op at /api/<op> (no project segment).
const opUrl = ({ origin, op }) => `${origin}/api/${op}`

function headersOf(init) {
  const h = new Headers(init && init.headers)
  return { contentType: h.get('content-type'), accept: h.get('accept'), authorization: h.has('authorization') }
}

// ---- Part 1: the client as shipped ---------------------------------------------------------

async function stock() {
  const exchanges = []
  const recording = async (url, init) => {
    const resp = await fetch(url, init)
    exchanges.push({
      request: { method: (init && init.method) || 'GET', url: String(url), ...headersOf(init), body: init && init.body },
      response: { status: resp.status, contentType: resp.headers.get('content-type'), body: await resp.clone().text() },
    })
    return resp
  }
  const client = new Client({ base: new URL(base), authBearer: token, fetch: recording, getOpUrl: opUrl })

  const about = await client.ops.about()
  out('STOCK-ABOUT', { kind: about && typeof about.getKind === 'function' ? about.getKind() : typeof about })

  exchanges.length = 0
  try {
    const watch = await client.ops.watch.make('herald interop (as shipped)', [changedId, deletedId])
    out('STOCK-OPENED', { rows: watch.grid.getRows().length })
    await watch.close()
  } catch (e) {
    const sub = exchanges.find((x) => x.request.url.endsWith('/watchSub'))
    if (sub) {
      out('STOCK-REQUEST', sub.request)
      out('STOCK-RESPONSE', sub.response)
    }
    out('STOCK-ERROR', { name: e.constructor.name, message: e.message })
  }
  await client.close().catch(() => {})
}

// ---- Part 2: the same API through a wire-format translation ---------------------------------

// JSON v3 (Herald) -> Hayson (read by haystack-core's makeValue).
function haysonOf(v) {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') {
    return v
  }
  if (Array.isArray(v)) {
    return v.map(haysonOf)
  }
  if (typeof v === 'object') {
    if (v.meta && Array.isArray(v.cols) && Array.isArray(v.rows)) {
      return {
        _kind: 'grid',
        meta: haysonOf(v.meta),
        cols: v.cols.map(({ name, ...meta }) => (Object.keys(meta).length ? { name, meta: haysonOf(meta) } : { name })),
        rows: v.rows.map(haysonOf),
      }
    }
    const dict = {}
    for (const [k, x] of Object.entries(v)) {
      dict[k] = haysonOf(x)
    }
    return dict
  }
  if (v.length < 2 || v[1] !== ':') {
    return v
  }
  const body = v.substring(2)
  const space = body.indexOf(' ')
  const head = space < 0 ? body : body.substring(0, space)
  const tail = space < 0 ? undefined : body.substring(space + 1)
  switch (v[0]) {
    case 's': return body
    case 'm': return { _kind: 'marker' }
    case '-': return { _kind: 'remove' }
    case 'z': return { _kind: 'na' }
    case 'n': {
      const val = head === 'INF' || head === '-INF' || head === 'NaN' ? head : Number(head)
      return tail === undefined ? { _kind: 'number', val } : { _kind: 'number', val, unit: tail }
    }
    case 'r': return tail === undefined ? { _kind: 'ref', val: head } : { _kind: 'ref', val: head, dis: tail }
    case 'd': return { _kind: 'date', val: body }
    case 'h': return { _kind: 'time', val: body }
    case 't': return tail === undefined ? { _kind: 'dateTime', val: head } : { _kind: 'dateTime', val: head, tz: tail }
    case 'u': return { _kind: 'uri', val: body }
    case 'y': return { _kind: 'symbol', val: body }
    case 'c': {
      const [lat, lng] = body.split(',').map(Number)
      return { _kind: 'coord', lat, lng }
    }
    case 'x': {
      const colon = body.indexOf(':')
      return { _kind: 'xstr', type: body.substring(0, colon), val: body.substring(colon + 1) }
    }
    default: return v
  }
}

const polls = []
let closeSeen
const closed = new Promise((resolve) => (closeSeen = resolve))

function idOf(row) {
  const id = row.id
  return typeof id === 'string' && id.startsWith('r:') ? id.substring(2).split(' ')[0] : null
}

const translating = async (url, init) => {
  const request = { ...init, headers: new Headers(init && init.headers) }
  let sent = null
  if (typeof request.body === 'string' && request.headers.get('content-type') === 'text/zinc') {
    const grid = hs.ZincReader.readValue(request.body)
    sent = grid.toJSONv3()
    if (!sent.cols || sent.cols.length === 0) {
      sent.cols = [{ name: 'empty' }] // the Zinc said "empty"; haystack-core drops that column when reading it
    }
    request.body = JSON.stringify(sent)
    request.headers.set('content-type', 'application/json')
  }
  request.headers.set('accept', 'application/json')
  const resp = await fetch(url, request)
  const text = await resp.text()
  let answer
  try {
    answer = JSON.parse(text)
  } catch (e) {
    fail(`not JSON from ${url}: ${resp.status} ${text}`)
  }
  const op = String(url).substring(String(url).lastIndexOf('/') + 1)
  if (op === 'watchPoll' && resp.status === 200) {
    const rows = answer.rows.map((r) => ({ id: idOf(r), removed: r.removed === 'm:' }))
    polls.push(rows)
    out('POLL', { n: polls.length, refresh: !!(sent && sent.meta && sent.meta.refresh), rows })
  }
  if (op === 'watchUnsub' && sent && sent.meta && 'close' in sent.meta) {
    closeSeen({ status: resp.status, watchId: sent.meta.watchId })
  }
  if (resp.status !== 200) {
    out('HTTP-ERROR', { op, status: resp.status, body: text })
  }
  return new Response(JSON.stringify(haysonOf(answer)), {
    status: resp.status,
    headers: { 'content-type': HAYSON },
  })
}

function zincOf(value) {
  return value === null || value === undefined ? null : value.toZinc()
}

function describe(changes) {
  const list = (entries) => (entries || []).map((e) => ({ name: e.name, value: zincOf(e.value), ...(e.oldValue ? { oldValue: zincOf(e.oldValue) } : {}) }))
  return { changed: list(changes.changed), added: list(changes.added), removed: list(changes.removed) }
}

async function adapted() {
  const client = new Client({ base: new URL(base), authBearer: token, fetch: translating, getOpUrl: opUrl })
  const watch = await client.ops.watch.make('herald interop', [changedId, deletedId])
  const opened = {
    rows: watch.grid.getRows().map((d) => ({ id: d.get('id') && d.get('id').value, dis: d.get('dis') && d.get('dis').value })),
  }
  out('OPENED', opened)
  watch.on(WatchEventType.Changed, (event, w) => {
    for (const id of Object.keys(event.ids)) {
      const row = w.grid.getRows().find((d) => d.get('id') && d.get('id').value === id)
      out('CHANGED', { id, ...describe(event.ids[id]), row: row ? row.toZinc() : null })
    }
  })
  watch.on(WatchEventType.Error, (event) => out('WATCH-ERROR', { event: String(JSON.stringify(event)) }))
  watch.pollRate = 1
  out('READY')

  await new Promise((resolve) => {
    let buffered = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', (chunk) => {
      buffered += chunk
      if (buffered.split('\n').some((line) => line.trim() === 'close')) {
        resolve()
      }
    })
    process.stdin.on('end', resolve)
  })
  // The library unsubscribes the watch's ids at once, and closes the server's watch when its
  // linger timer finds nothing left to watch.
  await watch.close()
  const close = await closed
  out('CLOSED', close)
}

;(async () => {
  if (!base || !token || !changedId || !deletedId) {
    fail('usage: node watch-client.js <base url> <token> <changed id> <deleted id>')
  }
  await stock()
  await adapted()
  process.exit(0)
})().catch(fail)
