# The azapply container image: the static binary on a distroless base (CA
# certificates, a nonroot user, no shell).
#
#   docker build -t azapply --build-arg VERSION=v1.2.3 .
#   docker run --rm -v "$PWD:/work" azapply plan
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/azapply ./cmd/azapply

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/azapply /azapply
WORKDIR /work
USER nonroot:nonroot
ENTRYPOINT ["/azapply"]
