import React from "react";
import { Button, Card, CardContent, Typography } from "@mui/material";

export default function Welcome() {
  return (
    <Card sx={{ maxWidth: 400, margin: 4 }}>
      <CardContent>
        <Typography variant="h5">Welcome</Typography>
        <Button variant="contained">Continue</Button>
      </CardContent>
    </Card>
  );
}
