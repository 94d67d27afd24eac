'use strict'
// haystack-nclient's own watch API (client.ops.watch: WatchOpApis on the Haystack ops watchSub,
// watchPoll, watchUnsub) against a Herald node, exactly as shipped: it speaks Zinc. The only option
// besides base, authBearer and getOpUrl is a fetch that passes everything through unchanged and
// records what went over the wire. Prints one line per fact for the Java test:
//
//   WIRE / OPENED / READY / POLL / CHANGED / CLOSED
//   FAILED <reason> on anything unexpected (then exit 1).
//
// Usage: node watch-client.js <base url> <token> <changed id> <deleted id>
// After READY it polls every second; a line "close" on stdin closes the watch the library's way.

const hs = require('haystack-core')
const { Client, WatchEventType } = require('haystack-nclient')

const [base, token, changedId, deletedId] = process.argv.slice(2)

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

const polls = []
let closeSeen
const closed = new Promise((resolve) => (closeSeen = resolve))

function metaOf(body) {
  try {
    return typeof body === 'string' ? hs.ZincReader.readValue(body).meta : null
  } catch (e) {
    return null
  }
}

const observing = async (url, init) => {
  const headers = new Headers(init && init.headers)
  const resp = await fetch(url, init)
  const text = await resp.clone().text()
  const op = String(url).substring(String(url).lastIndexOf('/') + 1)
  const meta = metaOf(init && init.body)
  if (op === 'watchSub') {
    out('WIRE', { contentType: headers.get('content-type'), accept: headers.get('accept'), status: resp.status,
      answer: resp.headers.get('content-type') })
  }
  if (op === 'watchPoll' && resp.status === 200) {
    const grid = hs.ZincReader.readValue(text)
    const rows = grid.getRows().map((d) => ({ id: d.get('id') ? d.get('id').value : null, removed: d.has('removed') }))
    polls.push(rows)
    out('POLL', { n: polls.length, refresh: !!(meta && meta.has('refresh')), rows })
  }
  if (op === 'watchUnsub' && meta && meta.has('close')) {
    closeSeen({ status: resp.status, watchId: meta.get('watchId') ? meta.get('watchId').value : null })
  }
  if (resp.status !== 200) {
    out('HTTP-ERROR', { op, status: resp.status, body: text })
  }
  return resp
}

function zincOf(value) {
  return value === null || value === undefined ? null : value.toZinc()
}

function describe(changes) {
  const list = (entries) => (entries || []).map((e) => ({ name: e.name, value: zincOf(e.value), ...(e.oldValue ? { oldValue: zincOf(e.oldValue) } : {}) }))
  return { changed: list(changes.changed), added: list(changes.added), removed: list(changes.removed) }
}

async function adapted() {
  const client = new Client({ base: new URL(base), authBearer: token, fetch: observing, getOpUrl: opUrl })
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
  await adapted()
  process.exit(0)
})().catch(fail)
