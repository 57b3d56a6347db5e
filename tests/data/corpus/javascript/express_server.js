const express = require("express");

const app = express();
app.get("/", (req, res) => res.send("hello"));
console.log("routes ready");
