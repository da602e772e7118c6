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
