/**
 * The BlobCreated event sample from the Azure docs ("Azure Blob Storage as an Event Grid
 * source"), Event Grid schema, verbatim: consumers are tested against what Azure sends.
 */
export const BLOB_CREATED_DOCS_SAMPLE = {
  topic: '/subscriptions/{subscription-id}/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account',
  subject: '/blobServices/default/containers/test-container/blobs/new-file.txt',
  eventType: 'Microsoft.Storage.BlobCreated',
  eventTime: '2017-06-26T18:41:00.9584103Z',
  id: '831e1650-001e-001b-66ab-eeb76e069631',
  data: {
    api: 'PutBlockList',
    clientRequestId: '6d79dbfb-0e37-4fc4-981f-442c9ca65760',
    requestId: '831e1650-001e-001b-66ab-eeb76e000000',
    eTag: '"0x8D4BCC2E4835CD0"',
    contentType: 'text/plain',
    contentLength: 524288,
    blobType: 'BlockBlob',
    url: 'https://my-storage-account.blob.core.windows.net/testcontainer/new-file.txt',
    sequencer: '00000000000004420000000000028963',
    storageDiagnostics: { batchId: 'b68529f3-68cd-4744-baa4-3c0498ec19f0' },
  },
  dataVersion: '',
  metadataVersion: '1',
};
