#!/usr/bin/env bash
# Registers the API of mlops-autopilot in Entra ID (the Graph part of the deployment, done with
# the Azure CLI rather than Bicep's Microsoft.Graph extension, which needs a preview feature):
# an app with the app roles of infra/app-roles.json and an application ID URI, whose values
# go into the function app's settings AUTOPILOT_ENTRA_TENANT_ID / AUTOPILOT_ENTRA_AUDIENCE
# (template parameters entraTenantId / entraAudience). Then assign roles to groups:
#   az ad app show --id <appId> --query appRoles
#   az rest -m POST -u https://graph.microsoft.com/v1.0/groups/<groupId>/appRoleAssignments \
#     -b '{"principalId":"<groupId>","resourceId":"<service principal id>","appRoleId":"<role id>"}'
# Usage: infra/entra-app.sh <display-name>    (needs Application Administrator or owner rights)
set -euo pipefail
name="${1:?usage: infra/entra-app.sh <display-name>}"
here="$(cd "$(dirname "$0")" && pwd)"
app_id="$(az ad app create --display-name "$name" --app-roles "@$here/app-roles.json" --query appId -o tsv)"
az ad app update --id "$app_id" --identifier-uris "api://$app_id"
# v2.0 access tokens (iss https://login.microsoftonline.com/<tenant>/v2.0), as the API expects.
az rest -m PATCH -u "https://graph.microsoft.com/v1.0/applications(appId='$app_id')" \
  -b '{"api":{"requestedAccessTokenVersion":2}}' --headers 'Content-Type=application/json'
az ad sp create --id "$app_id" >/dev/null
# Only assigned users, groups and applications get tokens for it.
sp_id="$(az ad sp show --id "$app_id" --query id -o tsv)"
az rest -m PATCH -u "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id" -b '{"appRoleAssignmentRequired":true}' --headers 'Content-Type=application/json'
echo "AUTOPILOT_ENTRA_TENANT_ID=$(az account show --query tenantId -o tsv)"
echo "AUTOPILOT_ENTRA_AUDIENCE=api://$app_id,$app_id"
