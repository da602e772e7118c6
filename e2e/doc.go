// Package e2e holds the end-to-end tests of live runs: the streamsql
// engine and binary against real local AWS servers (moto_server and
// kinesalite, started by internal/awstest).
package e2e
