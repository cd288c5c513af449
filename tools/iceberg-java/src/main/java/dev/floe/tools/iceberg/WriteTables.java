package dev.floe.tools.iceberg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.GenericBlobMetadata;
import org.apache.iceberg.GenericStatisticsFile;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionStatisticsFile;
import org.apache.iceberg.PartitionStatsHandler;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.ExpressionParser;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Term;
import org.apache.iceberg.deletes.BaseDVFileWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.puffin.Blob;
import org.apache.iceberg.puffin.Puffin;
import org.apache.iceberg.puffin.PuffinWriter;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Writes Iceberg tables and their histories with Java Iceberg, as a JSON spec says, for floe's
 * interop tests. The data files are Parquet files written beforehand (by pyarrow); this program
 * only registers them, with the partition values Java's transforms compute from a sample row of
 * each file and the metrics the spec gives (bounds serialized by Java), so what it produces are
 * Java-written table metadata, manifest lists and manifests.
 *
 * <pre>java -cp ... dev.floe.tools.iceberg.WriteTables spec.json</pre>
 *
 * The spec:
 *
 * <pre>
 * {"catalog": {"name": "floe", "uri": "jdbc:sqlite:/wh/catalog.db", "warehouse": "/wh", "properties": {}},
 *  "tables": [{"table": "ns.t", "location": "optional table location",
 *  "schema": {Iceberg schema JSON}, "partition": [{"source": "id", "transform": "bucket[4]"}],
 *  "properties": {"format-version": "2", ...},
 *  "operations": [
 *    {"op": "append", "fast": true, "branch": "optional", "files": [FILE, ...]},
 *    {"op": "delete", "files": [PATH, ...]},              DeleteFiles by path
 *    {"op": "delete_where", "filter": EXPR},              DeleteFiles.deleteFromRowFilter
 *    {"op": "overwrite", "delete": [PATH], "add": [FILE], "filter": EXPR (optional)},
 *    {"op": "rewrite", "delete": [PATH], "add": [FILE]},  same rows, other files
 *    {"op": "row_delta", "deletes": [DELETE], "dv": {PATH: [position, ...]}},  row-level deletes
 *    {"op": "rewrite_manifests"},                         one manifest per spec
 *    {"op": "statistics"},      a Puffin statistics file and a partition statistics file
 *    {"op": "sort_order", "fields": [{"source", "transform", "direction": "asc", "nulls": "first"}]},
 *    {"op": "ref_retention", "name": REF, "min_snapshots", "max_snapshot_age_ms", "max_ref_age_ms"},
 *    {"op": "tag" | "branch", "name": "n", "snapshot_of": K},  K: an earlier operation's index
 *    {"op": "set_properties", "properties": {...}},
 *    {"op": "update_spec", "add": [{"source", "transform"}], "remove": ["field name"]},
 *    {"op": "add_column", "name": "c", "type": "string", "default": VALUE (optional, v3)},
 *    {"op": "expire", "snapshot_of": [K, ...]}]}, ...]}
 * </pre>
 *
 * FILE is {"path", "size", "records", "row": {column: value}, "metrics": {"column_sizes",
 * "value_counts", "null_counts", "nan_counts": {field id: n}, "lower", "upper": {field id:
 * value}}}; values are in Iceberg's internal form (dates as days, times and timestamps as
 * microseconds, decimals as strings, binary as base64). DELETE is a Parquet delete file: FILE with
 * "referenced": the data file PATH it applies to, and "equality_ids" for equality deletes (else
 * position deletes); "dv" writes deletion vectors (v3) with Java's own Puffin writer. EXPR is Iceberg's JSON expression form
 * (ExpressionParser). Prints one JSON line per operation: the table, the operation's index, the
 * snapshot it made, the current snapshot id and the metadata location after it.
 */
public final class WriteTables {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Runs Java Iceberg's parallel steps in the calling thread: its worker pool polls for finished
   * tasks every 10 ms, which made each commit of these small tables wait ~30 ms.
   */
  private static final ExecutorService INLINE = new InlineExecutor();

  private final Table table;
  private final List<Long> snapshotOf = new ArrayList<>();

  private WriteTables(Table table) {
    this.table = table;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: WriteTables SPEC.json");
      System.exit(2);
    }
    JsonNode spec = JSON.readTree(new File(args[0]));
    try (JdbcCatalog catalog = openCatalog(spec.get("catalog"))) {
      for (JsonNode tableSpec : spec.get("tables")) {
        WriteTables writer = new WriteTables(createTable(catalog, tableSpec));
        int index = 0;
        for (JsonNode op : tableSpec.get("operations")) {
          writer.report(index++, op.get("op").asText(), writer.apply(op));
        }
      }
    }
  }

  static JdbcCatalog openCatalog(JsonNode conf) {
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, conf.get("uri").asText());
    props.put(CatalogProperties.WAREHOUSE_LOCATION, conf.get("warehouse").asText());
    props.put(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
    // floe's catalog.db has the V1 tables (with iceberg_type), as JdbcCatalog's schema V1 does.
    props.put("jdbc.schema-version", "V1");
    // Further catalog properties, e.g. "jdbc.synchronous": "OFF" (passed to the SQLite driver).
    conf.path("properties").properties().forEach(e -> props.put(e.getKey(), e.getValue().asText()));
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.initialize(conf.get("name").asText(), props);
    return catalog;
  }

  static Table createTable(JdbcCatalog catalog, JsonNode spec) {
    TableIdentifier id = TableIdentifier.parse(spec.get("table").asText());
    if (!catalog.namespaceExists(id.namespace())) {
      catalog.createNamespace(id.namespace());
    }
    Schema schema = SchemaParser.fromJson(spec.get("schema").toString());
    PartitionSpec.Builder partition = PartitionSpec.builderFor(schema);
    for (JsonNode field : spec.path("partition")) {
      addPartitionField(partition, field.get("source").asText(), field.get("transform").asText());
    }
    Map<String, String> properties = new LinkedHashMap<>();
    spec.path("properties").properties().forEach(e -> properties.put(e.getKey(), e.getValue().asText()));
    var builder = catalog.buildTable(id, schema).withPartitionSpec(partition.build()).withProperties(properties);
    if (spec.hasNonNull("location")) {
      builder = builder.withLocation(spec.get("location").asText());
    }
    return builder.create();
  }

  /** "identity", "bucket[N]", "truncate[W]", "year", "month", "day", "hour" or "void". */
  static void addPartitionField(PartitionSpec.Builder b, String source, String transform) {
    switch (transformName(transform)) {
      case "identity" -> b.identity(source);
      case "bucket" -> b.bucket(source, transformArg(transform));
      case "truncate" -> b.truncate(source, transformArg(transform));
      case "year" -> b.year(source);
      case "month" -> b.month(source);
      case "day" -> b.day(source);
      case "hour" -> b.hour(source);
      case "void" -> b.alwaysNull(source);
      default -> throw new IllegalArgumentException("unknown transform " + transform);
    }
  }

  static Term partitionTerm(String source, String transform) {
    return switch (transformName(transform)) {
      case "identity" -> Expressions.ref(source);
      case "bucket" -> Expressions.bucket(source, transformArg(transform));
      case "truncate" -> Expressions.truncate(source, transformArg(transform));
      case "year" -> Expressions.year(source);
      case "month" -> Expressions.month(source);
      case "day" -> Expressions.day(source);
      case "hour" -> Expressions.hour(source);
      default -> throw new IllegalArgumentException("cannot add a " + transform + " field");
    };
  }

  private static String transformName(String transform) {
    int bracket = transform.indexOf('[');
    return bracket < 0 ? transform : transform.substring(0, bracket);
  }

  private static int transformArg(String transform) {
    return Integer.parseInt(transform.substring(transform.indexOf('[') + 1, transform.indexOf(']')));
  }

  // --- operations ---------------------------------------------------------------------------------

  /** Applies one operation; returns the snapshot it made (a branch's new head), else the current one. */
  private Long apply(JsonNode op) {
    String kind = op.get("op").asText();
    String branch = null;
    switch (kind) {
      case "append" -> {
        AppendFiles append = (op.path("fast").asBoolean(false) ? table.newFastAppend() : table.newAppend())
            .scanManifestsWith(INLINE);
        for (JsonNode f : op.get("files")) {
          append.appendFile(dataFile(f));
        }
        if (op.hasNonNull("branch")) {
          branch = op.get("branch").asText();
          append.toBranch(branch);
        }
        append.commit();
      }
      case "delete" -> {
        DeleteFiles delete = table.newDelete().scanManifestsWith(INLINE);
        op.get("files").forEach(p -> delete.deleteFile(known(p.asText()).location()));
        delete.commit();
      }
      case "delete_where" -> table.newDelete().scanManifestsWith(INLINE)
          .deleteFromRowFilter(ExpressionParser.fromJson(op.get("filter"))).commit();
      case "overwrite" -> {
        OverwriteFiles overwrite = table.newOverwrite().scanManifestsWith(INLINE);
        if (op.hasNonNull("filter")) {
          overwrite.overwriteByRowFilter(ExpressionParser.fromJson(op.get("filter")));
        }
        op.path("delete").forEach(p -> overwrite.deleteFile(known(p.asText())));
        op.path("add").forEach(f -> overwrite.addFile(dataFile(f)));
        overwrite.commit();
      }
      case "rewrite" -> {
        RewriteFiles rewrite = table.newRewrite().scanManifestsWith(INLINE);
        op.get("delete").forEach(p -> rewrite.deleteFile(known(p.asText())));
        op.get("add").forEach(f -> rewrite.addFile(dataFile(f)));
        rewrite.commit();
      }
      case "row_delta" -> {
        RowDelta delta = table.newRowDelta().scanManifestsWith(INLINE);
        op.path("deletes").forEach(f -> delta.addDeletes(deleteFile(f)));
        if (op.has("dv")) {
          deletionVectors(op.get("dv")).forEach(delta::addDeletes);
        }
        delta.commit();
      }
      case "rewrite_manifests" -> table.rewriteManifests().scanManifestsWith(INLINE)
          .clusterBy(file -> file.specId()).commit();
      case "statistics" -> writeStatistics();
      case "sort_order" -> {
        var order = table.replaceSortOrder();
        op.get("fields").forEach(f -> {
          NullOrder nulls = "first".equals(f.path("nulls").asText("first")) ? NullOrder.NULLS_FIRST : NullOrder.NULLS_LAST;
          Term term = partitionTerm(f.get("source").asText(), f.path("transform").asText("identity"));
          if ("desc".equals(f.path("direction").asText("asc"))) {
            order.desc(term, nulls);
          } else {
            order.asc(term, nulls);
          }
        });
        order.commit();
      }
      case "ref_retention" -> {
        String name = op.get("name").asText();
        var refs = table.manageSnapshots();
        if (op.has("min_snapshots")) {
          refs.setMinSnapshotsToKeep(name, op.get("min_snapshots").asInt());
        }
        if (op.has("max_snapshot_age_ms")) {
          refs.setMaxSnapshotAgeMs(name, op.get("max_snapshot_age_ms").asLong());
        }
        if (op.has("max_ref_age_ms")) {
          refs.setMaxRefAgeMs(name, op.get("max_ref_age_ms").asLong());
        }
        refs.commit();
      }
      case "tag" -> table.manageSnapshots().createTag(op.get("name").asText(), earlierSnapshot(op)).commit();
      case "branch" -> table.manageSnapshots().createBranch(op.get("name").asText(), earlierSnapshot(op)).commit();
      case "set_properties" -> {
        var update = table.updateProperties();
        op.get("properties").properties().forEach(e -> update.set(e.getKey(), e.getValue().asText()));
        update.commit();
      }
      case "update_spec" -> {
        var update = table.updateSpec();
        op.path("add").forEach(f -> update.addField(partitionTerm(f.get("source").asText(), f.get("transform").asText())));
        op.path("remove").forEach(name -> update.removeField(name.asText()));
        update.commit();
      }
      case "add_column" -> {
        Type type = Types.fromPrimitiveString(op.get("type").asText());
        var update = table.updateSchema();
        if (op.has("default")) {  // v3: an initial and write default
          update.addColumn(op.get("name").asText(), type, Expressions.lit(internal(type, op.get("default"))).to(type));
        } else {
          update.addColumn(op.get("name").asText(), type);
        }
        update.commit();
      }
      case "expire" -> {
        var expire = table.expireSnapshots().planWith(INLINE).executeDeleteWith(INLINE);
        op.get("snapshot_of").forEach(k -> expire.expireSnapshotId(snapshotOf.get(k.asInt())));
        expire.commit();
      }
      default -> throw new IllegalArgumentException("unknown operation " + kind);
    }
    table.refresh();
    Snapshot made = branch != null ? table.snapshot(branch) : table.currentSnapshot();
    Long id = made == null ? null : made.snapshotId();
    snapshotOf.add(id);
    return id;
  }

  private long earlierSnapshot(JsonNode op) {
    return snapshotOf.get(op.get("snapshot_of").asInt());
  }

  /**
   * The live data file at a path, as the current snapshot's manifests hold it. (Not the DataFile
   * this program built: for a spec of only void fields, Java's DataFiles builder gives an empty
   * partition tuple, which Java's own overwrite and rewrite then fail to match against the
   * manifests' one-field tuples.)
   */
  private DataFile known(String path) {
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planWith(INLINE).planFiles()) {
      for (FileScanTask task : tasks) {
        if (task.file().location().equals(path)) {
          return task.file();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException("no live data file " + path);
  }

  private void report(int index, String kind, Long made) throws Exception {
    Snapshot current = table.currentSnapshot();
    ObjectNode line = JSON.createObjectNode();
    line.put("table", table.name());
    line.put("index", index);
    line.put("op", kind);
    line.put("snapshot_id", made);
    line.put("current_snapshot_id", current == null ? null : current.snapshotId());
    line.put("metadata_location", ((HasTableOperations) table).operations().current().metadataFileLocation());
    System.out.println(JSON.writeValueAsString(line));
  }

  // --- files ----------------------------------------------------------------------------------------

  private DataFile dataFile(JsonNode f) {
    PartitionSpec spec = table.spec();
    DataFiles.Builder b = DataFiles.builder(spec)
        .withPath(f.get("path").asText())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(f.get("size").asLong())
        .withRecordCount(f.get("records").asLong())
        .withMetrics(metrics(f));
    if (spec.isPartitioned()) {
      b.withPartition(partitionOf(spec, f.get("row")));
    }
    return b.build();
  }

  private DeleteFile deleteFile(JsonNode f) {
    DataFile target = known(f.get("referenced").asText());
    PartitionSpec spec = table.specs().get(target.specId());
    FileMetadata.Builder b = FileMetadata.deleteFileBuilder(spec)
        .withPath(f.get("path").asText())
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(f.get("size").asLong())
        .withRecordCount(f.get("records").asLong());
    if (f.has("equality_ids")) {
      int[] ids = new int[f.get("equality_ids").size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = f.get("equality_ids").get(i).asInt();
      }
      b.ofEqualityDeletes(ids).withMetrics(metrics(f));
    } else {
      b.ofPositionDeletes().withReferencedDataFile(target.location());
    }
    if (spec.isPartitioned()) {
      b.withPartition(target.partition());
    }
    return b.build();
  }

  /** Deletion vectors for the given data files' positions, in one Puffin file. */
  private List<DeleteFile> deletionVectors(JsonNode positionsByPath) {
    OutputFileFactory files = OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PUFFIN).build();
    BaseDVFileWriter writer = new BaseDVFileWriter(files, path -> null);
    try (writer) {
      positionsByPath.properties().forEach(e -> {
        DataFile target = known(e.getKey());
        e.getValue().forEach(pos -> writer.delete(target.location(), pos.asLong(),
            table.specs().get(target.specId()), target.partition()));
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.result().deleteFiles();
  }

  /** Table statistics (a Puffin file with one blob) and partition statistics for the current snapshot. */
  private void writeStatistics() {
    Snapshot snapshot = table.currentSnapshot();
    String path = table.location() + "/metadata/stats-" + snapshot.snapshotId() + ".puffin";
    StatisticsFile statistics;
    try (PuffinWriter writer = Puffin.write(table.io().newOutputFile(path)).createdBy("floe WriteTables").build()) {
      // A blob of a type readers know (PyIceberg accepts no other); its bytes are no real sketch.
      writer.add(new Blob("apache-datasketches-theta-v1", List.of(1), snapshot.snapshotId(), snapshot.sequenceNumber(),
          ByteBuffer.wrap(new byte[] {1, 2, 3, 4})));
      writer.finish();
      statistics = new GenericStatisticsFile(snapshot.snapshotId(), path, writer.fileSize(), writer.footerSize(),
          GenericBlobMetadata.from(writer.writtenBlobsMetadata()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    table.updateStatistics().setStatistics(statistics).commit();
    try {
      PartitionStatisticsFile partitionStatistics = PartitionStatsHandler.computeAndWriteStatsFile(table);
      table.updatePartitionStatistics().setPartitionStatistics(partitionStatistics).commit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The partition tuple Java's transforms compute from a sample row of the file. */
  private StructLike partitionOf(PartitionSpec spec, JsonNode row) {
    List<Types.NestedField> columns = table.schema().columns();
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = internal(columns.get(i).type(), row.get(columns.get(i).name()));
    }
    PartitionKey key = new PartitionKey(spec, table.schema());
    key.partition(new Row(values));
    return key;
  }

  private Metrics metrics(JsonNode f) {
    JsonNode m = f.path("metrics");
    return new Metrics(f.get("records").asLong(), counts(m.path("column_sizes")), counts(m.path("value_counts")),
        counts(m.path("null_counts")), counts(m.path("nan_counts")), bounds(m.path("lower")), bounds(m.path("upper")));
  }

  private static Map<Integer, Long> counts(JsonNode node) {
    if (node.isMissingNode()) {
      return null;
    }
    Map<Integer, Long> out = new HashMap<>();
    node.properties().forEach(e -> out.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
    return out;
  }

  /** Bounds serialized by Java (Conversions.toByteBuffer) from values in the internal form. */
  private Map<Integer, ByteBuffer> bounds(JsonNode node) {
    if (node.isMissingNode()) {
      return null;
    }
    Map<Integer, ByteBuffer> out = new HashMap<>();
    node.properties().forEach(e -> {
      Type type = table.schema().findType(Integer.parseInt(e.getKey()));
      out.put(Integer.parseInt(e.getKey()),
          org.apache.iceberg.types.Conversions.toByteBuffer(type, internal(type, e.getValue())));
    });
    return out;
  }

  /** A JSON value as Java Iceberg holds it internally for the given type. */
  static Object internal(Type type, JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    return switch (type.typeId()) {
      case BOOLEAN -> v.asBoolean();
      case INTEGER, DATE -> v.asInt();
      case LONG, TIME, TIMESTAMP, TIMESTAMP_NANO -> v.asLong();
      case FLOAT -> (float) v.asDouble();
      case DOUBLE -> v.asDouble();
      case STRING -> v.asText();
      case DECIMAL -> new BigDecimal(v.asText()).setScale(((Types.DecimalType) type).scale());
      case UUID -> UUID.fromString(v.asText());
      case BINARY, FIXED -> ByteBuffer.wrap(Base64.getDecoder().decode(v.asText()));
      case STRUCT -> {  // a JSON object: a row of the struct's fields (partition sources may be nested)
        List<Types.NestedField> fields = type.asStructType().fields();
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = internal(fields.get(i).type(), v.get(fields.get(i).name()));
        }
        yield new Row(values);
      }
      default -> throw new IllegalArgumentException("no internal form for " + type);
    };
  }

  private static final class InlineExecutor extends AbstractExecutorService {
    private boolean shutdown;

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  /** A row of a struct: values in field order. */
  private record Row(Object[] values) implements StructLike {
    @Override
    public int size() {
      return values.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      return javaClass.cast(values[pos]);
    }

    @Override
    public <T> void set(int pos, T value) {
      values[pos] = value;
    }
  }
}
