# The spend application: its SQL, rendered from a template kept beside
# this module, on the generic KDA module.

variable "name" {
  type = string
}

variable "columns" {
  type = list(object({
    name    = string
    type    = string
    mapping = optional(string)
  }))
}

variable "window_seconds" {
  type = number
}

variable "input_arn" {
  type = string
}

variable "output_arn" {
  type = string
}

variable "error_arns" {
  type = list(string)
}

variable "role_arn" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  destination = "DESTINATION_SQL_STREAM"
  results = [
    { name = "Block", type = "VARCHAR(8)" },
    { name = "TotalAmount", type = "DECIMAL(12,2)" },
    { name = "Purchases", type = "BIGINT" },
    { name = "WindowStart", type = "TIMESTAMP" },
  ]
}

module "app" {
  source      = "../kda-sql-app"
  name        = var.name
  description = format("Total purchase amount per block every %d seconds", var.window_seconds)
  code = templatefile("${path.module}/spend.sql.tftpl", {
    destination    = local.destination
    results        = local.results
    group_by       = "Block"
    window_seconds = var.window_seconds
  })
  input = {
    stream_arn = var.input_arn
    columns    = var.columns
  }
  outputs  = { for name in [local.destination] : name => var.output_arn }
  # Where rejected records go: on KDA, the application's error stream is
  # delivered like any output; locally it prints.
  error_destination = one(var.error_arns)
  role_arn = var.role_arn
  tags     = var.tags
}

output "application_name" {
  value = module.app.name
}
