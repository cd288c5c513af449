// Rebasing a fast append onto the table's newer state: the server-side retry
// of racing appends. A client builds an append snapshot S on main's snapshot
// P; before it commits, other appends move main on to C. S's own manifests
// (new files only) are as valid on C as they were on P, so instead of failing
// the commit and making the client redo it, S is re-parented: its manifest
// list becomes its own manifests plus C's, at the next sequence number, with
// the summary's totals counted from C. This is what Java's client does on a
// retry of a fast append, done where the metadata is.
#pragma once

#include <string>

#include "floe/iceberg/table_metadata.h"
#include "floe/util/status.h"

namespace floe::iceberg {

// Returns `append` rebased onto `current`'s main branch, after writing its
// new manifest list to `manifest_list_path`: same id, schema and added
// counts; parent main's snapshot, the next sequence number, totals from the
// parent. The rebase is refused with kConflict, and the client has to retry
// itself, unless all of this holds:
// - the table is format v2 (v1 has no sequence numbers to reassign; v3's row
//   ids would have to be reassigned too, which is not done yet);
// - `append` is an "append" whose manifest list is exactly its own manifests
//   of added data files plus every manifest of its parent P (a fast append:
//   a merging append rewrote P's manifests, which C may no longer have);
// - P (or no snapshot, when `append` has no parent) is an ancestor of main,
//   and every snapshot since P is an append: racing appends never conflict,
//   while an overwrite, delete or replace since P might have removed what
//   the client read, and row-level deletes would have sequence numbers the
//   client's did not account for.
Result<Snapshot> RebaseFastAppend(FileIO& io, const Snapshot& append, const TableMetadata& current,
                                  const std::string& manifest_list_path);

}  // namespace floe::iceberg
