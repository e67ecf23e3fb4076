// govmomi-sim serves govmomi's vCenter simulator (a VPX model) on 127.0.0.1 over TLS, so the
// Skyport vSphere adapter can be tested against a vim25 implementation nobody here wrote.
// It prints one JSON line {"url","username","password","certPem"} and runs until stdin closes.
package main

import (
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/url"
	"os"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	model := simulator.VPX()
	model.Datacenter = 2
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	defer model.Remove()

	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("skyport", "sim-password")}
	model.Service.TLS = new(tls.Config)
	server := model.Service.NewServer()
	defer server.Close()

	password, _ := server.URL.User.Password()
	endpoint := *server.URL
	endpoint.User = nil
	certPem := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
	_ = json.NewEncoder(os.Stdout).Encode(map[string]string{
		"url": endpoint.String(), "username": server.URL.User.Username(), "password": password, "certPem": string(certPem),
	})

	// The parent test process holds our stdin; when it exits or closes it, we stop.
	_, _ = io.Copy(io.Discard, os.Stdin)
}
