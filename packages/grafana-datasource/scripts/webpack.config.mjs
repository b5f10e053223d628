// Frontend bundle as @grafana/create-plugin lays it out: dist/module.js as an AMD module whose Grafana-provided
// libraries (React, @grafana/*, rxjs, emotion, …) stay external, plus plugin.json, README and images.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const pluginJson = JSON.parse(readFileSync(join(pkgDir, 'src/plugin.json'), 'utf8'));

export default {
  mode: process.env.NODE_ENV === 'development' ? 'development' : 'production',
  context: pkgDir,
  devtool: 'source-map',
  entry: { module: './src/module.ts' },
  target: 'web',
  externals: [
    'lodash', 'jquery', 'moment', 'slate', 'emotion', '@emotion/react', '@emotion/css', 'prismjs', 'slate-plain-serializer',
    '@grafana/slate-react', 'react', 'react-dom', 'react-redux', 'redux', 'rxjs', 'react-router', 'react-router-dom', 'd3', 'angular',
    /^@grafana\/ui/i, /^@grafana\/runtime/i, /^@grafana\/data/i,
    // Grafana resolves these at load time; keep them out of the bundle as create-plugin does.
    ({ request }, callback) => (request && /^rxjs\//.test(request) ? callback(undefined, request) : callback()),
  ],
  module: {
    rules: [
      {
        test: /\.[tj]sx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: {
            jsc: { baseUrl: pkgDir, target: 'es2020', loose: false, parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } },
          },
        },
      },
    ],
  },
  output: {
    clean: { keep: /^(node|gpx_)/ },
    filename: '[name].js',
    library: { type: 'amd' },
    path: join(pkgDir, 'dist'),
    publicPath: `public/plugins/${pluginJson.id}/`,
    uniqueName: pluginJson.id,
  },
  resolve: {
    extensions: ['.ts', '.tsx', '.js', '.jsx'],
    extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
  },
  plugins: [
    new CopyWebpackPlugin({
      patterns: [
        { from: 'README.md', to: '.', noErrorOnMissing: true },
        { from: 'src/img', to: 'img' },
        {
          from: 'src/plugin.json',
          to: '.',
          transform: (content) =>
            content
              .toString()
              .replace('%VERSION%', pkg.version)
              .replace('%TODAY%', new Date().toISOString().slice(0, 10)),
        },
      ],
    }),
  ],
  performance: { hints: false },
};
