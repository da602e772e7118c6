// Starts kinesalite on 127.0.0.1 (kinesalite's own CLI binds every
// interface) on the port given as the first argument (0: any free port),
// in memory, with streams ready at once, and prints the endpoint.
var kinesalite = require('kinesalite')
var port = parseInt(process.argv[2] || '0', 10)
var server = kinesalite({createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000})
server.listen(port, '127.0.0.1', function() {
  var a = server.address()
  console.log('http://' + a.address + ':' + a.port)
})
process.on('SIGTERM', function() { process.exit(0) })
process.on('SIGINT', function() { process.exit(0) })
// A client that goes away in the middle of a request (a test stopping a
// reader, a proxy dropping a connection) makes kinesalite throw from the
// request's error handler and exit; a real server only drops that request.
process.on('uncaughtException', function(err) {
  if (err && (err.code === 'ECONNRESET' || err.message === 'aborted')) {
    console.error('kinesalite: a client went away mid-request: ' + err.message)
    return
  }
  console.error(err && err.stack || err)
  process.exit(1)
})
