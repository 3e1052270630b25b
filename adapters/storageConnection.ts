/** Azurite's documented development account; `UseDevelopmentStorage=true` means exactly this. */
const DEVELOPMENT_STORAGE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
  'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;' +
  'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

export function resolveConnectionString(value: string | undefined): string {
  if (!value) throw new Error('AzureWebJobsStorage is not set; put a connection string in local.settings.json');
  return /^\s*UseDevelopmentStorage=true\s*;?\s*$/i.test(value) ? DEVELOPMENT_STORAGE : value;
}
