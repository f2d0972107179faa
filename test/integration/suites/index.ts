// Every integration suite, in the order they run. Add new suites here.
import './commands.suite.ts';
import './clusters.suite.ts';
