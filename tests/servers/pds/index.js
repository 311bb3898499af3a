// A real Bluesky PDS (@atproto/pds) for herald's live tests: dev mode, no invites, loopback only.
// Usage: node index.js PORT DATA_DIR. A PLC directory (@did-plc/server, in memory) runs in the same process.
'use strict'

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds')
const { PlcServer, Database: PlcDatabase } = require('@did-plc/server')

const HOST = '127.0.0.1'

// Both servers call app.listen(port) (every interface); tests bind loopback only.
function listenOnLoopback(app) {
  const listen = app.listen.bind(app)
  app.listen = (port, ...rest) => listen(port, HOST, ...rest)
}

async function main() {
  const [port, dataDir] = [Number(process.argv[2]), process.argv[3]]
  if (!port || !dataDir) throw new Error('usage: node index.js PORT DATA_DIR')
  fs.mkdirSync(dataDir, { recursive: true })

  const plc = PlcServer.create({ db: PlcDatabase.mock(), port: 0 })
  listenOnLoopback(plc.app)
  const plcServer = await plc.start()
  const plcUrl = `http://${HOST}:${plcServer.address().port}`

  const env = {
    ...readEnv(),
    devMode: true,
    port,
    hostname: 'localhost',
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    rateLimitsEnabled: false,
    disableSsrfProtection: true,
    jwtSecret: crypto.randomBytes(16).toString('hex'),
    adminPassword: 'admin-pass',
    dpopSecret: crypto.randomBytes(32).toString('hex'),
    plcRotationKeyK256PrivateKeyHex: crypto.randomBytes(32).toString('hex'),
    bskyAppViewUrl: 'http://appview.invalid',
    bskyAppViewDid: 'did:example:appview',
    crawlers: [],
  }
  const pds = await PDS.create(envToCfg(env), envToSecrets(env))
  listenOnLoopback(pds.app)
  await pds.start()
  process.stdout.write(`pds listening on http://${HOST}:${port}\n`)

  const stop = async () => {
    await pds.destroy()
    await plc.destroy()
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((error) => {
  process.stderr.write(`pds: ${error.stack || error}\n`)
  process.exit(1)
})
