#!/usr/bin/env node
// The local run's S3 server: s3rver's own command line (bin/s3rver.js, same options),
// with one fix of its filesystem store.
//
// s3rver 3.7.1 removes a key's parent directories once they are empty when it deletes an
// object. An upload into the same directory at that moment (e.g. "work_history/2026/12":
// every file of a month shares one) has just made sure the directory exists and then
// opens its file in it: ENOENT on a write stream without an error handler, which ends the
// whole process. Here a delete removes the object's three files and leaves directories in
// place (an empty directory costs nothing and is reused by the next upload of its month).
'use strict';

const fs = require('fs/promises');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

FilesystemStore.prototype.deleteObject = async function deleteObject(bucket, key) {
  await Promise.all(
    ['object', 'object.md5', 'metadata.json'].map((kind) =>
      fs.unlink(this.getResourcePath(bucket, key, kind)).catch((err) => {
        if (err.code !== 'ENOENT') throw err;
      }),
    ),
  );
};

require('s3rver/bin/s3rver.js');
