package dev.floe.tools.iceberg;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * A FileIO on the local filesystem, without Hadoop. Locations may be plain paths or file: URIs
 * ("file:/tmp/x", as Hadoop spells them, or "file:///tmp/x"); files keep the location they were
 * opened with, so the manifests and manifest lists Java Iceberg writes record paths exactly as the
 * table's location spells them.
 */
public class LocalFileIO implements FileIO {
  private static final long serialVersionUID = 1L;

  static File localFile(String location) {
    if (location.startsWith("file://")) {
      return new File(location.substring("file://".length()));
    }
    if (location.startsWith("file:")) {
      return new File(location.substring("file:".length()));
    }
    if (location.contains("://")) {
      throw new IllegalArgumentException("not a local location: " + location);
    }
    return new File(location);
  }

  @Override
  public InputFile newInputFile(String location) {
    return new Input(location, org.apache.iceberg.Files.localInput(localFile(location)));
  }

  @Override
  public OutputFile newOutputFile(String location) {
    return new Output(location, org.apache.iceberg.Files.localOutput(localFile(location)));
  }

  @Override
  public void deleteFile(String location) {
    try {
      Files.delete(localFile(location).toPath());
    } catch (NoSuchFileException e) {
      // already gone: deleting is idempotent
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Input(String location, InputFile local) implements InputFile {
    @Override
    public long getLength() {
      return local.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      return local.newStream();
    }

    @Override
    public boolean exists() {
      return local.exists();
    }
  }

  private record Output(String location, OutputFile local) implements OutputFile {
    @Override
    public PositionOutputStream create() {
      return local.create();
    }

    @Override
    public PositionOutputStream createOrOverwrite() {
      return local.createOrOverwrite();
    }

    @Override
    public InputFile toInputFile() {
      return new Input(location, local.toInputFile());
    }
  }
}
