// Package arm is the ARM client: everything between azapply and Azure
// Resource Manager over HTTP. It owns the azcore pipeline (bearer tokens,
// retries), the credentials, long-running-operation polling and the decoding
// of ARM error bodies into a typed Error. It knows nothing of HCL, plans or
// state; callers hand it resource IDs, api-versions and JSON bodies.
package arm
