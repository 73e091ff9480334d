// Package views renders what plan, apply, destroy, drift and show write:
// the plan, the engine's progress events, the summary, the outputs and the
// diagnostics. A command chooses one view when it starts (NewOperation:
// human text, or JSON) and sends everything it shows through it, as
// Terraform's command/views does. The engine renders nothing: it reports
// through apply.Reporter, which every view implements.
//
// With JSON, standard output holds JSON only: plan, drift and show write
// the plan document (plan.JSONPlan), apply and destroy one JSON object per
// line, and every diagnostic is a JSON object of its own line. Each line an
// Operation writes on its own has a "type": plan, progress, summary,
// outputs or diagnostic.
package views
