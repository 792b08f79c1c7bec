'use strict';
// HL7 v2 senders of the ward 7 lab capture, framed in MLLP by node-hl7-client.
//
//   node send.js monitor|pump|pas HOST PORT
//
// monitor: three ORU^R01 from the Philips monitor gateway on one connection.
// pump:    two ORU^R01 from the B. Braun pump server on one connection.
// pas:     ADT^A01 on one connection; ADT^A08 written in small TCP segments
//          on a second; a file batch (FHS/BHS/BTS/FTS) of two ADT^A08 on a
//          third.
// Each waits for the engine's ACKs and exits non-zero if any is missing.
const net = require('net');
const { Batch, Client, FileBatch, Message, MLLPCodec } = require('node-hl7-client');
const { adt, monitorMessages, pumpMessages } = require('./messages');

const ackTimeout = 10000; // milliseconds
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// send sends items on one connection and waits for want ACKs.
async function send(host, port, items, want) {
  const acks = [];
  let done;
  const allAcked = new Promise((resolve) => { done = resolve; });
  const client = new Client({ host, ipv4: true });
  const conn = client.createConnection({ port: Number(port) }, async (res) => {
    const ack = res.getMessage();
    acks.push(ack.get('MSA.1').toString());
    if (acks.length >= want) done();
  });
  // Sending before the socket is up makes the client queue the message and
  // dial a second connection, leaving the first one idle.
  await new Promise((resolve, reject) => {
    conn.once('connect', resolve);
    setTimeout(() => reject(new Error(`connect to ${host}:${port}: timed out`)), ackTimeout);
  });
  for (const item of items) {
    await conn.sendMessage(item);
    await sleep(200);
  }
  const timer = setTimeout(done, ackTimeout);
  await allAcked;
  clearTimeout(timer);
  await conn.close();
  if (acks.length < want || acks.some((a) => a !== 'AA')) {
    throw new Error(`send to ${host}:${port}: got acks [${acks}], want ${want} AA`);
  }
  console.log(`send: ${items.length} item(s) to ${host}:${port}, ${acks.length} AA`);
}

// sendInPieces frames text with the library's MLLP codec, then writes the
// frame in pieces of size bytes with a pause between them, so that one
// message spans several TCP segments. Unlike the library's own sends, this
// one ends its last segment with a CR, as the standard asks.
async function sendInPieces(host, port, text, size) {
  const parts = [];
  new MLLPCodec('utf-8').sendMessage({ write: (b) => parts.push(Buffer.from(b)) }, `${text}\r`, 'utf-8');
  const frame = Buffer.concat(parts);
  const sock = net.connect({ host, port: Number(port) });
  sock.setNoDelay(true);
  const ack = new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.includes(0x1c)) resolve(got.toString('utf-8'));
    });
    sock.on('error', reject);
    setTimeout(() => reject(new Error(`no ack from ${host}:${port}`)), ackTimeout);
  });
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  for (let i = 0; i < frame.length; i += size) {
    sock.write(frame.subarray(i, i + size));
    await sleep(60);
  }
  const text2 = await ack;
  sock.end();
  if (!/\rMSA\|AA\|/.test(text2)) throw new Error(`pieces to ${host}:${port}: ack not AA`);
  console.log(`send: ${frame.length} bytes in pieces of ${size} to ${host}:${port}, AA`);
}

function adtBatch() {
  const batch = new Batch();
  batch.start();
  batch.set('BHS.3', 'PAS');
  batch.set('BHS.4', 'WTH');
  batch.set('BHS.5', 'HL7_ENGINE');
  batch.set('BHS.6', 'WTH');
  batch.set('BHS.7', '20250301110000');
  batch.add(new Message({ text: adt('A08', 4, '20250301105900') }));
  batch.add(new Message({ text: adt('A08', 5, '20250301110000') }));
  batch.end();
  const file = new FileBatch();
  file.start();
  file.set('FHS.3', 'PAS');
  file.set('FHS.4', 'WTH');
  file.set('FHS.5', 'HL7_ENGINE');
  file.set('FHS.6', 'WTH');
  file.set('FHS.7', '20250301110000');
  file.add(batch);
  file.end();
  return file;
}

async function main() {
  const [scenario, host, port] = process.argv.slice(2);
  const asMessages = (texts) => texts.map((text) => new Message({ text }));
  switch (scenario) {
    case 'monitor':
      await send(host, port, asMessages(monitorMessages()), 3);
      break;
    case 'pump':
      await send(host, port, asMessages(pumpMessages()), 2);
      break;
    case 'pas':
      await send(host, port, asMessages([adt('A01', 1, '20250301093000')]), 1);
      await sendInPieces(host, port, adt('A08', 2, '20250301100000'), 90);
      await send(host, port, [adtBatch()], 2);
      break;
    default:
      throw new Error('usage: node send.js monitor|pump|pas HOST PORT');
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(`send: ${err.message}`);
  process.exit(1);
});
