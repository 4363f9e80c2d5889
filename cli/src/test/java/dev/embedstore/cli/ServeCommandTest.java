package dev.embedstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServeCommandTest {
  @Test
  void maxBodySizes() throws CliException {
    assertEquals(16L << 20, ServeCommand.parseSize("16m"));
    assertEquals(512L << 10, ServeCommand.parseSize("512K"));
    assertEquals(1L << 30, ServeCommand.parseSize("1g"));
    assertEquals(1000, ServeCommand.parseSize("1000"));
    for (String bad : new String[] {"0", "-5m", "lots", "16mb", "", "99999999999g"}) {
      CliException e = assertThrows(CliException.class, () -> ServeCommand.parseSize(bad), bad);
      assertTrue(e.getMessage().startsWith("--max-body"), e.getMessage());
    }
  }
}
