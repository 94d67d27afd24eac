// Usage: node stock-client.js <base-url> <token> <transport> <pony-id>
// Subscribes to one pony with the unmodified @vertx/eventbus-bridge-client.js, prints SUBSCRIBED <reply>,
// then prints SEQ <msg.headers.seq> and MESSAGE <body> for the first notification on address "pony" and exits 0.
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [base, token, transport, id] = process.argv.slice(2);
const eb = new EventBus(base + '/realtime', { transports: [transport] });
const fail = (why) => { console.log('FAILED ' + why); process.exit(1); };
setTimeout(() => fail('timeout'), 30000);
eb.onerror = (err) => fail('err frame ' + JSON.stringify(err));

eb.onopen = () => {
  eb.registerHandler('pony', (err, message) => {
    if (err) fail(JSON.stringify(err));
    console.log('SEQ ' + JSON.stringify(message.headers && message.headers.seq));
    console.log('MESSAGE ' + JSON.stringify(message.body));
    eb.close();
    process.exit(0);
  });
  eb.send('herald.subscribe', { model: 'pony', ids: [Number(id)] }, { authorization: 'Bearer ' + token }, (err, reply) => {
    if (err) fail(JSON.stringify(err));
    console.log('SUBSCRIBED ' + JSON.stringify(reply.body));
  });
};
