// govmomi-sim serves govmomi's vCenter simulator (a VPX model) on 127.0.0.1 over TLS, so the
// Skyport vSphere adapter can be tested against a vim25 implementation nobody here wrote.
// It prints one JSON line {"url","username","password","certPem"} and runs until stdin closes.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/vmware/govmomi/simulator"
)

// loopbackCertificate replaces httptest's built-in RSA-1024 certificate, which current OpenSSL
// (Node 24) rejects as too weak.
func loopbackCertificate() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	template := x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "vcsim.skyport.local"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func main() {
	model := simulator.VPX()
	model.Datacenter = 2
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	defer model.Remove()

	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("skyport", "sim-password")}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{loopbackCertificate()}}
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
