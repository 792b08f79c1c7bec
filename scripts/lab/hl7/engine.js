'use strict';
// The integration engine of the ward 7 lab capture. It answers every message
// with an application accept (MSA AA) on two MLLP listeners:
//
//   DEVICE_PORT  device feeds (PCD-01 ORU^R01) on long-lived connections,
//                served by simple-hl7's TCP server;
//   ADT_PORT     ADT from the PAS, one connection per message or batch,
//                served by node-hl7-server, which also splits FHS/BHS batches
//                and acknowledges each message in them.
//
// node-hl7-server 2.5.0 keeps the text of earlier messages on a connection and
// acknowledges them all again with each new one, so it only gets the
// one-message-per-connection feed.
//
//   node engine.js BIND_ADDRESS DEVICE_PORT ADT_PORT
//
// Runs until SIGTERM or SIGINT. Logs one line per message, without patient
// values.
const hl7 = require('simple-hl7');
const { Server } = require('node-hl7-server');

const [bind, devicePort, adtPort] = process.argv.slice(2);
if (!bind || !devicePort || !adtPort) {
  console.error('usage: node engine.js BIND_ADDRESS DEVICE_PORT ADT_PORT');
  process.exit(2);
}

function listenDevices(port) {
  const app = hl7.tcp();
  app.use((req, res) => {
    const id = req.msg.header.getField(8).toString();
    console.log(`engine: devices ${req.type}^${req.event} ${id} -> AA`);
    res.end();
  });
  app.use((err, req, res, next) => {
    console.error(`engine: devices: ${err.message}`);
  });
  // simple-hl7 listens on every address; the lab namespace has only one.
  return app.start(Number(port));
}

function listenADT(port) {
  const server = new Server({ bindAddress: bind, ipv4: true });
  return server.createInbound({ port: Number(port) }, async (req, res) => {
    const msg = req.getMessage();
    const type = `${msg.get('MSH.9.1')}^${msg.get('MSH.9.2')}`;
    console.log(`engine: adt ${type} ${msg.get('MSH.10')} -> AA`);
    await res.sendResponse('AA');
  });
}

const devices = listenDevices(devicePort);
const adt = listenADT(adtPort);
console.log(`engine: listening on ${devicePort} (devices) and ${bind}:${adtPort} (adt)`);

async function stop() {
  devices.stop();
  await adt.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
