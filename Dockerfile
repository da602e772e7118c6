# A small static image of the streamsql CLI:
#   docker build -t streamsql --build-arg COMMIT=$(git rev-parse HEAD) .
#   docker run --rm -v "$PWD:/work" -w /work streamsql run app.yaml --replay rec.jsonl
FROM golang:1.25 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG COMMIT=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.commit=${COMMIT}" -o /streamsql ./cmd/streamsql

# scratch: the binary, and the CA certificates live runs need for AWS's TLS endpoints.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /streamsql /streamsql
ENTRYPOINT ["/streamsql"]
