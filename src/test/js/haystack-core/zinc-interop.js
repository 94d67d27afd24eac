// Zinc interop with haystack-core: usage node zinc-interop.js <base url> <token> <entity id>
// 1. reads the entity with a Zinc request and a Zinc answer, parses the answer with haystack-core's
//    ZincReader and prints it as Hayson ("READ <json>");
// 2. builds a grid of one new entity with haystack-core, sends its toZinc() to createRec and prints
//    what was sent ("SENT <json string>") and haystack-core's reading of the Zinc answer ("CREATED <json>").
// Any failure prints "FAILED <reason>" and exits 1.
'use strict';
const {ZincReader, HGrid, HDict, HStr, HNum, HRef, HUri, HDate, HTime, HDateTime, HCoord, HXStr, HSymbol,
  HMarker, HNa, HBool, HList} = require('haystack-core');

const [base, token, id] = process.argv.slice(2);

async function post(op, zinc) {
  const response = await fetch(base + '/api/' + op, {
    method: 'POST',
    headers: {'Authorization': 'Bearer ' + token, 'Content-Type': 'text/zinc; charset=utf-8', 'Accept': 'text/zinc'},
    body: zinc,
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(op + ' answered ' + response.status + ': ' + text);
  }
  if (response.headers.get('content-type') !== 'text/zinc; charset=utf-8') {
    throw new Error(op + ' answered Content-Type ' + response.headers.get('content-type'));
  }
  const grid = ZincReader.readValue(text);
  if (!(grid instanceof HGrid)) {
    throw new Error(op + ': haystack-core did not read a grid from ' + JSON.stringify(text));
  }
  return grid;
}

async function main() {
  const read = await post('read', HGrid.make({rows: [HDict.make({id: HRef.make(id)})]}).toZinc());
  console.log('READ ' + JSON.stringify(read.toJSON()));

  const entity = HDict.make({
    name: HStr.make('from-haystack-core'),
    dis: HStr.make('Quote " backslash \\ tab \t newline \n dollar $ ü €'),
    point: HMarker.make(),
    na: HNa.make(),
    enabled: HBool.make(true),
    curVal: HNum.make(-12.25, '°F'),
    humidity: HNum.make(45, '%'),
    area: HNum.make(1.5e3, 'm²'),
    price: HNum.make(9.99, '$'),
    tiny: HNum.make(1.5e-7),
    big: HNum.make(1e21),
    pointRef: HRef.make(id, 'ignored display'),
    installed: HDate.make('2021-03-04'),
    opens: HTime.make('08:30:15'),
    since: HDateTime.make('2020-09-01T01:00:00-04:00 New_York'),
    utc: HDateTime.make('2021-01-02T03:04:05Z UTC'),
    geoCoord: HCoord.make({latitude: -27.4705, longitude: 153.026}),
    link: HUri.make('http://example.com/a?b=c#d'),
    kind: HSymbol.make('hot-water'),
    bin: HXStr.make('Bin', 'text/plain'),
    list: HList.make([HNum.make(1), HStr.make('two'), HMarker.make()]),
    dict: HDict.make({a: HMarker.make(), b: HNum.make(2, 'kW'), c: HDict.make({d: HStr.make('e')})}),
  });
  const zinc = HGrid.make({rows: [entity]}).toZinc();
  console.log('SENT ' + JSON.stringify(zinc));
  const created = await post('createRec', zinc);
  console.log('CREATED ' + JSON.stringify(created.toJSON()));
}

main().then(() => process.exit(0), e => {
  console.log('FAILED ' + (e && e.stack || e));
  process.exit(1);
});
